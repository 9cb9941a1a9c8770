// /task and /tasks: publish, take, report, cancel. Parse, validate, call the broker, shape the answer.
import { Router } from 'express';
import type { Broker } from '../src/broker/index.js';
import type { PublishInput } from '../src/broker/publish.js';
import type { Report } from '../src/store/store.js';
import { BrokerError } from '../src/errors.js';
import { reportError } from '../src/broker/outcomes.js';
import { exactlyOne, validator } from './validate.js';
import { cancelQuerySchema, claimQuerySchema, publishBatchSchema, publishSchema, reportBatchSchema, reportSchema } from './task.schema.js';
import { reportJson, workTaskJson } from './present.js';

const publishBody = validator<PublishInput & { fastPost?: boolean }>(publishSchema);
const publishBatchBody = validator<{ events: PublishInput[]; fastPost?: boolean }>(publishBatchSchema);
const claimQuery = validator<{ workerId: string; wait?: number; count?: number }>(claimQuerySchema);
const reportBody = validator<Report & { workerId: string }>(reportSchema);
const reportBatchBody = validator<{ workerId: string; reports: Report[] }>(reportBatchSchema);
const cancelQuery = validator<{ taskId?: string; eventId?: string }>(cancelQuerySchema);

function checkTiming(e: PublishInput, where: string): void {
  if (e.runAt !== undefined && e.runAt !== null && e.delay !== undefined) {
    throw new BrokerError('invalid_input', `${where}: give runAt or delay, not both`, [{ where: 'body', field: `${where}.delay`, message: 'conflicts with runAt' }]);
  }
}

export function taskRoutes(broker: Broker): Router {
  const r = Router();

  r.put('/task', async (req, res) => {
    const { fastPost, ...event } = publishBody.body(req);
    checkTiming(event, 'body');
    if (fastPost) {
      broker.publishInBackground([event]);
      res.status(202).json({ status: 'accepted' });
      return;
    }
    const [answer] = await broker.publish([event]);
    res.status(answer!.status === 'discarded' ? 200 : 201).json(answer);
  });

  r.put('/tasks', async (req, res) => {
    const { events, fastPost } = publishBatchBody.body(req);
    events.forEach((e, i) => checkTiming(e, `events.${i}`));
    if (fastPost) {
      broker.publishInBackground(events);
      res.status(202).json({ status: 'accepted', events: events.length });
      return;
    }
    const answers = await broker.publish(events);
    res.status(answers.every((a) => a.status === 'discarded') ? 200 : 201).json({ events: answers });
  });

  r.get('/task', async (req, res) => {
    const q = claimQuery.query(req);
    const tasks = await broker.claim(q.workerId, q.count ?? 1, q.wait ?? 0);
    if (q.count === undefined) res.json({ task: tasks[0] ? workTaskJson(tasks[0]) : null });
    else res.json({ tasks: tasks.map(workTaskJson) });
  });

  r.post('/task', async (req, res) => {
    const { workerId, ...report } = reportBody.body(req);
    const [outcome] = await broker.report(workerId, [report]);
    if (outcome!.outcome !== 'ok') throw reportError(outcome!, workerId);
    res.json(reportJson(outcome!));
  });

  r.post('/tasks', async (req, res) => {
    const { workerId, reports } = reportBatchBody.body(req);
    const outcomes = await broker.report(workerId, reports);
    res.json({
      results: outcomes.map((o) => {
        if (o.outcome === 'ok') return { ok: true, ...reportJson(o) };
        const e = reportError(o, workerId);
        return { ok: false, taskId: o.taskId, error: e.message, code: e.code };
      }),
    });
  });

  r.delete('/task', async (req, res) => {
    const q = cancelQuery.query(req);
    const r2 = await broker.cancel(exactlyOne(q, ['taskId', 'eventId'], 'query') === 'taskId' ? { taskId: q.taskId! } : { eventId: q.eventId! });
    res.json(r2);
  });

  return r;
}
