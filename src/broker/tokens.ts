// API tokens: made and revoked by an admin; the secret is answered once and stored only as a hash.
import { BrokerError } from '../errors.js';
import type { Role, TokenRecord } from '../model.js';
import { hashToken, newTokenSecret } from '../security/tokens.js';
import type { BrokerContext } from './context.js';

/** A token as anyone may see it: never the secret or its hash. */
export type TokenView = Omit<TokenRecord, 'hash'>;
const view = ({ hash: _hash, ...t }: TokenRecord): TokenView => t;

export async function createToken(ctx: BrokerContext, input: { name: string; role: Role; queues?: string[] }): Promise<TokenView & { token: string }> {
  if (input.queues !== undefined && (input.role === 'admin' || input.role === 'publish')) {
    throw new BrokerError('invalid_input', `queues limits work and read tokens; a ${input.role} token cannot be limited`);
  }
  const secret = newTokenSecret();
  const record: TokenRecord = { name: input.name, role: input.role, queues: input.queues ? [...new Set(input.queues)] : null, hash: hashToken(secret), createdAtMs: ctx.now(), lastUsedAtMs: null };
  if (!(await ctx.store.createToken(record))) throw new BrokerError('token_exists', `a token named ${input.name} exists: delete it first to replace it`);
  ctx.log.info('token created', { token: input.name, role: input.role, queues: record.queues });
  return { ...view(record), token: secret };
}

export async function listTokens(ctx: BrokerContext): Promise<TokenView[]> {
  return (await ctx.store.listTokens()).map(view);
}

export async function deleteToken(ctx: BrokerContext, name: string): Promise<void> {
  if (!(await ctx.store.deleteToken(name))) throw new BrokerError('token_not_found', `no token named ${name}`);
  ctx.log.info('token deleted', { token: name });
}
