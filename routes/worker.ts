// PUT /worker registers; DELETE /worker removes one worker or every worker of a queue.
import { Router } from 'express';
import type { Broker } from '../src/broker/index.js';
import { BrokerError } from '../src/errors.js';
import { exactlyOne, validator } from './validate.js';
import { registerWorkerSchema, removeWorkerQuerySchema } from './worker.schema.js';
import { QUEUE_NAME } from './common.schema.js';
import { workerJson } from './present.js';

const registerBody = validator<{ queues: string | string[]; name?: string }>(registerWorkerSchema);
const removeQuery = validator<{ workerId?: string; queue?: string }>(removeWorkerQuerySchema);
const queueName = new RegExp(QUEUE_NAME.pattern);

function queueList(queues: string | string[]): string[] {
  const list = typeof queues === 'string' ? queues.split(',').map((q) => q.trim()) : queues;
  if (list.length > 100) throw new BrokerError('invalid_input', 'body field queues lists more than 100 queues', [{ where: 'body', field: 'queues', message: 'at most 100 queues' }]);
  for (const q of list) {
    if (q === '*') throw new BrokerError('invalid_input', 'body field queues: "*" is refused; name the queues in priority order', [{ where: 'body', field: 'queues', message: '"*" is refused' }]);
    if (!queueName.test(q) || q.length > QUEUE_NAME.maxLength) {
      throw new BrokerError('invalid_input', `body field queues: ${JSON.stringify(q)} is not a valid queue name`, [{ where: 'body', field: 'queues', message: 'invalid queue name', queue: q }]);
    }
  }
  return list;
}

export function workerRoutes(broker: Broker): Router {
  const r = Router();
  r.put('/worker', async (req, res) => {
    const body = registerBody.body(req);
    const w = await broker.registerWorker(body.name, queueList(body.queues));
    res.status(201).json(workerJson(w));
  });
  r.delete('/worker', async (req, res) => {
    const q = removeQuery.query(req);
    res.json(await broker.removeWorkers(exactlyOne(q, ['workerId', 'queue'], 'query') === 'workerId' ? { workerId: q.workerId! } : { queue: q.queue! }));
  });
  return r;
}
