// API tokens: PUT /token creates one and answers its secret once, GET /token lists them (never a
// secret), DELETE /token?name= revokes one at once on every node; GET /whoami says who is asking.
import { Router } from 'express';
import type { Broker } from '../src/broker/index.js';
import type { Gate, Principal } from '../src/security/gate.js';
import type { TokenView } from '../src/broker/tokens.js';
import type { Role } from '../src/model.js';
import { validator } from './validate.js';
import { listTokensQuerySchema, putTokenSchema, tokenNameQuerySchema } from './token.schema.js';

const putBody = validator<{ name: string; role: Role; queues?: string[] }>(putTokenSchema);
const nameQuery = validator<{ name: string }>(tokenNameQuerySchema);
const listQuery = validator<Record<string, never>>(listTokensQuerySchema);

const tokenJson = (t: TokenView) => ({
  name: t.name, role: t.role, queues: t.queues, createdAt: t.createdAtMs / 1000, lastUsedAt: t.lastUsedAtMs === null ? null : t.lastUsedAtMs / 1000,
});

export function tokenRoutes(broker: Broker, gate: Gate): Router {
  const r = Router();
  r.put('/token', async (req, res) => {
    const created = await broker.tokens.create(putBody.body(req));
    gate.tokensChanged();
    res.status(201).json({ ...tokenJson(created), token: created.token });
  });
  r.get('/token', async (req, res) => {
    listQuery.query(req);
    res.json({ tokens: (await broker.tokens.list()).map(tokenJson) });
  });
  r.delete('/token', async (req, res) => {
    await broker.tokens.delete(nameQuery.query(req).name);
    gate.tokensChanged();
    res.json({ deleted: 1 });
  });
  // The page asks this first: whether it needs a token, and what the one it has may do.
  r.get('/whoami', async (_req, res) => {
    const p = res.locals.principal as Principal | null;
    res.json({ open: await gate.isOpen(), name: p?.name ?? null, role: p?.role ?? null, queues: p?.queues ?? null });
  });
  return r;
}
