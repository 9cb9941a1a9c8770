// DELETE /queue removes a queue; PATCH /queue sets its policy; GET /queue/tasks pages its tasks by
// state; DELETE /queue/tasks purges its waiting tasks.
import { Router } from 'express';
import type { Broker } from '../src/broker/index.js';
import type { QueuePolicy, TaskState } from '../src/model.js';
import { validator } from './validate.js';
import { patchQueueSchema, queueQuerySchema, queueTasksQuerySchema } from './queue.schema.js';
import { policyJson, taskJson } from './present.js';

const patchBody = validator<Partial<QueuePolicy> & { queue: string }>(patchQueueSchema);
const queueQuery = validator<{ queue: string }>(queueQuerySchema);
const tasksQuery = validator<{ queue: string; state: TaskState; limit?: number; offset?: number }>(queueTasksQuerySchema);

export function queueRoutes(broker: Broker): Router {
  const r = Router();
  r.delete('/queue', async (req, res) => {
    res.json(await broker.deleteQueue(queueQuery.query(req).queue));
  });
  r.patch('/queue', async (req, res) => {
    const { queue, ...patch } = patchBody.body(req);
    // 201 when this created the queue: a typo in a queue name should not pass unnoticed.
    const { policy, created } = await broker.updateQueuePolicy(queue, patch);
    res.status(created ? 201 : 200).json({ queue, ...policyJson(policy) });
  });
  r.delete('/queue/tasks', async (req, res) => {
    res.json(await broker.purgeWaiting(queueQuery.query(req).queue));
  });
  r.get('/queue/tasks', async (req, res) => {
    const q = tasksQuery.query(req);
    const page = await broker.listQueueTasks(q.queue, q.state, q.limit ?? 50, q.offset ?? 0);
    res.json({ total: page.total, tasks: page.tasks.map(taskJson) });
  });
  return r;
}
