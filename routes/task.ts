// /task and /tasks: publish, take, report, cancel. Each hot endpoint is one handler (validated input →
// broker → answer) that the express routes below and the fast path (fast-path.ts) both call.
import { Router, type Response } from 'express';
import type { ServerResponse } from 'node:http';
import type { Broker } from '../src/broker/index.js';
import type { HangUp } from '../src/broker/claim.js';
import type { PublishInput } from '../src/broker/publish.js';
import type { Report } from '../src/model.js';
import { BrokerError } from '../src/errors.js';
import { reportError } from '../src/broker/outcomes.js';
import { exactlyOne, validator } from './validate.js';
import { cancelQuerySchema, claimQuerySchema, publishBatchSchema, publishSchema, reportBatchSchema, reportSchema } from './task.schema.js';
import { reportJson, workTaskJson } from './present.js';
import { parseTraceparent } from '../src/trace-context.js';
import type { Answer } from './answer.js';

export const publishBody = validator<PublishInput & { fastPost?: boolean }>(publishSchema);
export const publishBatchBody = validator<{ events: PublishInput[]; fastPost?: boolean }>(publishBatchSchema);
export const claimQuery = validator<{ workerId: string; wait?: number; count?: number; queues?: string }>(claimQuerySchema);
export const reportBody = validator<Report & { workerId: string; next?: boolean; queues?: string }>(reportSchema);
export const reportBatchBody = validator<{ workerId: string; reports: Report[]; claim?: { count: number; queues?: string } }>(reportBatchSchema);
const cancelQuery = validator<{ taskId?: string; eventId?: string }>(cancelQuerySchema);

/** An event's own traceparent, else the request's header when that is a valid one. */
function withTrace(event: PublishInput, header: unknown): PublishInput {
  if (event.traceparent !== undefined) {
    // The schema checked its shape; the spec also rules out version ff and all-zero ids.
    if (parseTraceparent(event.traceparent) === null) throw new BrokerError('invalid_input', 'traceparent is not a valid W3C traceparent', [{ where: 'body', field: 'traceparent', message: 'version ff and all-zero ids are invalid' }]);
    return event;
  }
  const traceparent = parseTraceparent(header);
  return traceparent === null ? event : { ...event, traceparent };
}

const queueList = (queues: string | undefined) => queues?.split(',').map((s) => s.trim()).filter(Boolean);

function checkTiming(e: PublishInput, where: string): void {
  if (e.runAt !== undefined && e.runAt !== null && e.delay !== undefined) {
    throw new BrokerError('invalid_input', `${where}: give runAt or delay, not both`, [{ where: 'body', field: `${where}.delay`, message: 'conflicts with runAt' }]);
  }
}

export type TaskHandlers = ReturnType<typeof taskHandlers>;

export function taskHandlers(broker: Broker) {
  return {
    async publish({ fastPost, ...body }: PublishInput & { fastPost?: boolean }, traceHeader?: unknown): Promise<Answer> {
      const event = withTrace(body, traceHeader);
      checkTiming(event, 'body');
      if (fastPost) {
        broker.publishInBackground([event]);
        return { status: 202, body: { status: 'accepted' } };
      }
      const [answer] = await broker.publish([event]);
      return { status: answer!.status === 'discarded' ? 200 : 201, body: answer };
    },
    async publishBatch({ events: bodies, fastPost }: { events: PublishInput[]; fastPost?: boolean }, traceHeader?: unknown): Promise<Answer> {
      const events = bodies.map((e) => withTrace(e, traceHeader));
      events.forEach((e, i) => checkTiming(e, `events.${i}`));
      if (fastPost) {
        broker.publishInBackground(events);
        return { status: 202, body: { status: 'accepted', events: events.length } };
      }
      const answers = await broker.publish(events);
      return { status: answers.every((a) => a.status === 'discarded') ? 200 : 201, body: { events: answers } };
    },
    async claim(q: { workerId: string; wait?: number; count?: number; queues?: string }, gone?: HangUp): Promise<Answer> {
      const tasks = await broker.claim(q.workerId, q.count ?? 1, q.wait ?? 0, gone, queueList(q.queues));
      return { status: 200, body: q.count === undefined ? { task: tasks[0] ? workTaskJson(tasks[0]) : null } : { tasks: tasks.map(workTaskJson) } };
    },
    async report({ workerId, next, queues, ...report }: Report & { workerId: string; next?: boolean; queues?: string }): Promise<Answer> {
      if (queues !== undefined && !next) throw new BrokerError('invalid_input', 'queues goes with next: true (which of the worker\'s queues the next task may come from)', [{ field: 'queues' }]);
      const [outcome] = await broker.report(workerId, [report]);
      if (outcome!.outcome !== 'ok') throw reportError(outcome!, workerId);
      if (!next) return { status: 200, body: reportJson(outcome!) };
      // Only after the report holds: a refused report takes nothing, so no task is leased unseen.
      const [task] = await broker.claim(workerId, 1, 0, undefined, queueList(queues));
      return { status: 200, body: { ...reportJson(outcome!), task: task ? workTaskJson(task) : null } };
    },
    async reportBatch({ workerId, reports, claim }: { workerId: string; reports: Report[]; claim?: { count: number; queues?: string } }): Promise<Answer> {
      // Both writes are queued in this tick, so the store commits them together, reports first.
      const [outcomes, tasks] = await Promise.all([
        broker.report(workerId, reports),
        claim ? broker.claim(workerId, claim.count, 0, undefined, queueList(claim.queues)) : undefined,
      ]);
      return {
        status: 200,
        body: {
          results: outcomes.map((o) => {
            if (o.outcome === 'ok') return { ok: true, ...reportJson(o) };
            const e = reportError(o, workerId);
            return { ok: false, taskId: o.taskId, error: e.message, code: e.code };
          }),
          ...(tasks ? { tasks: tasks.map(workTaskJson) } : {}),
        },
      };
    },
  };
}

const send = (res: Response, a: Answer) => { res.status(a.status).json(a.body); };

export function taskRoutes(broker: Broker, h: TaskHandlers): Router {
  const r = Router();
  r.put('/task', async (req, res) => send(res, await h.publish(publishBody.body(req), req.headers.traceparent)));
  r.put('/tasks', async (req, res) => send(res, await h.publishBatch(publishBatchBody.body(req), req.headers.traceparent)));
  r.get('/task', async (req, res) => send(res, await h.claim(claimQuery.query(req), clientGone(res))));
  r.post('/task', async (req, res) => send(res, await h.report(reportBody.body(req))));
  r.post('/tasks', async (req, res) => send(res, await h.reportBatch(reportBatchBody.body(req))));
  r.delete('/task', async (req, res) => {
    const q = cancelQuery.query(req);
    res.json(await broker.cancel(exactlyOne(q, ['taskId', 'eventId'], 'query') === 'taskId' ? { taskId: q.taskId! } : { eventId: q.eventId! }));
  });
  return r;
}

/** Aborts when the connection closes before the answer is sent (the client hung up); made when a
 *  claim is about to wait, so a connection already gone by then aborts it at once. */
export function clientGone(res: ServerResponse): HangUp {
  return () => {
    const ac = new AbortController();
    if (res.socket === null || res.socket.destroyed) ac.abort();
    else res.once('close', () => { if (!res.writableEnded) ac.abort(); });
    return ac.signal;
  };
}
