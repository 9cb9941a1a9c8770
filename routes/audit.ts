// GET /audit: the trail of admin changes, newest first (admin only, see src/security/access.ts).
import { Router } from 'express';
import type { Broker } from '../src/broker/index.js';
import type { AuditEntry } from '../src/model.js';
import { listAuditQuerySchema } from './token.schema.js';
import { validator } from './validate.js';

const listQuery = validator<{ limit?: number; offset?: number }>(listAuditQuerySchema);

const entryJson = ({ atMs, ...e }: AuditEntry) => ({ at: atMs / 1000, ...e });

export function auditRoutes(broker: Broker): Router {
  const r = Router();
  r.get('/audit', async (req, res) => {
    const q = listQuery.query(req);
    const { total, entries } = await broker.audit.list(q.limit ?? 50, q.offset ?? 0);
    res.json({ total, entries: entries.map(entryJson) });
  });
  return r;
}
