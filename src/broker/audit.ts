// The audit trail: every change made with an admin token or in open mode (the admin routes), one
// JSON line in the log and one entry in the store, never with payload data or secrets.
import type { AuditEntry, Role } from '../model.js';
import type { BrokerContext } from './context.js';

export const DEFAULT_AUDIT_KEEP_SECONDS = 30 * 86_400;

/** The names that say which thing a change was about; only their values are kept, no other value. */
const SUBJECT_FIELDS = ['queue', 'name'] as const;

export interface ChangeFacts {
  who: { name: string; role: Role };
  from: string;
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  status: number;
}

export function auditEntry(c: ChangeFacts, atMs: number): AuditEntry {
  const body = c.body !== null && typeof c.body === 'object' && !Array.isArray(c.body) ? (c.body as Record<string, unknown>) : {};
  const subject = SUBJECT_FIELDS.map((f) => c.query[f] ?? body[f]).find((v): v is string => typeof v === 'string') ?? null;
  return {
    atMs, who: c.who.name, role: c.who.role, from: c.from, what: `${c.method} ${c.path}`, subject,
    fields: [...new Set([...Object.keys(c.query), ...Object.keys(body)])].sort(), status: c.status,
  };
}

export async function recordChange(ctx: BrokerContext, c: ChangeFacts): Promise<void> {
  const entry = auditEntry(c, ctx.now());
  ctx.log.info('audit', { audit: entry });
  await ctx.store.appendAudit(entry);
}

export function listAudit(ctx: BrokerContext, limit: number, offset: number) {
  return ctx.store.listAudit(limit, offset);
}

/** Entries older than SWITCHYARD_AUDIT_KEEP go (a sweep, on every node). */
export function pruneAudit(ctx: BrokerContext, nowMs: number): Promise<number> {
  return ctx.store.pruneAudit(nowMs - (ctx.settings.auditKeepSeconds ?? DEFAULT_AUDIT_KEEP_SECONDS) * 1000);
}
