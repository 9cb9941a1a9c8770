// GET /status and its parts (CouchQueue's parameters), GET /healthz, GET /metrics.
import { Router } from 'express';
import type { Broker } from '../src/broker/index.js';
import { validator } from './validate.js';
import { statusQuerySchema, throughputQuerySchema } from './status.schema.js';
import { failedFilter } from './failed.js';
import { BrokerError } from '../src/errors.js';
import { policyJson, taskJson, workerJson } from './present.js';

type StatusQuery = {
  queue?: string; queues?: string; workerQueue?: string; interests?: string; workers?: string; failedQueue?: string; task?: string;
  reason?: string; search?: string; field?: string; value?: string; match?: string; limit?: number; offset?: number;
};
const statusQuery = validator<StatusQuery>(statusQuerySchema);
const throughputQuery = validator<{ queues?: string; minutes?: number }>(throughputQuerySchema);

export function statusRoutes(broker: Broker): Router {
  const r = Router();
  r.get('/status', async (req, res) => {
    const q = statusQuery.query(req);
    if (q.task !== undefined) {
      const { task, heldBy } = await broker.status.task(q.task);
      res.json({ task: { ...taskJson(task), heldBy } });
      return;
    }
    if (q.workerQueue !== undefined) {
      const w = await broker.status.workerQueue(q.workerQueue);
      res.json({ workerId: w.workerId, length: w.length, tasks: w.tasks.map(taskJson) });
      return;
    }
    if (q.failedQueue !== undefined) {
      const page = await broker.listFailed(failedFilter(q), q.limit ?? 50, q.offset ?? 0);
      res.json({ total: page.total, tasks: page.tasks.map(taskJson) });
      return;
    }
    if (q.queue !== undefined) {
      const st = await broker.status.queue(q.queue);
      res.json({ ...st, policy: policyJson(st.policy) });
      return;
    }
    if (q.queues !== undefined) {
      res.json(await broker.status.queues({ ...(q.match !== undefined ? { match: q.match } : {}), ...(q.limit !== undefined ? { limit: q.limit } : {}), ...(q.offset !== undefined ? { offset: q.offset } : {}) }));
      return;
    }
    if (q.interests !== undefined) { res.json(await broker.status.interests()); return; }
    if (q.workers !== undefined) { res.json({ workers: (await broker.status.workers()).workers.map(workerJson) }); return; }
    res.json(await broker.status.overview());
  });

  r.get('/throughput', async (req, res) => {
    const q = throughputQuery.query(req);
    const queues = q.queues?.split(',').map((s) => s.trim()).filter(Boolean);
    if (queues && queues.length > 100) throw new BrokerError('invalid_input', 'query field queues names more than 100 queues', [{ where: 'query', field: 'queues', message: 'at most 100 queues' }]);
    res.json(await broker.status.throughput(q.minutes ?? 15, queues));
  });

  // An unreachable store is a 503 store_unavailable through the one error mapping (answer.ts).
  r.get('/healthz', async (_req, res) => {
    res.json(await broker.health());
  });

  r.get('/metrics', async (_req, res) => {
    const text = await broker.metrics.text();
    res.type(broker.metrics.contentType).send(text);
  });
  return r;
}
