// GET /openapi.json: every route, its request (the same schemas that validate it) and its answers
// (answers.schema.ts), as one OpenAPI 3.1 document. The SDK's types are generated from it
// (src/client/api-types.ts), and the HTTP tests check each answer they receive against it.
import { Router } from 'express';
import { needOf } from '../src/security/access.js';
import { ERRORS } from '../src/errors.js';
import { answers, claimAnswer, publishAnswer, publishBatchAnswer, reportAnswer, reportBatchAnswer } from './answers.schema.js';
import { cancelQuerySchema, claimQuerySchema, publishBatchSchema, publishSchema, reportBatchSchema, reportSchema } from './task.schema.js';
import { registerWorkerSchema, removeWorkerQuerySchema } from './worker.schema.js';
import { dryRunSchema, interestHistoryQuerySchema, removeInterestsQuerySchema, rollbackInterestsSchema, setInterestsSchema, whatIfSchema } from './interest.schema.js';
import { deleteUnroutedSchema, listUnroutedQuerySchema, replayUnroutedSchema } from './unrouted.schema.js';
import { patchQueueSchema, queueQuerySchema, queueTasksQuerySchema } from './queue.schema.js';
import { deleteFailedSchema, listFailedQuerySchema, retryFailedSchema } from './failed.schema.js';
import { statusQuerySchema, throughputQuerySchema } from './status.schema.js';
import { listSchedulesQuerySchema, patchScheduleSchema, putScheduleSchema, scheduleNameQuerySchema } from './schedule.schema.js';
import { exportQuerySchema, importQuerySchema } from './transfer.schema.js';
import { tapQuerySchema } from './tap.schema.js';
import { listAuditQuerySchema, listTokensQuerySchema, putTokenSchema, tokenNameQuerySchema } from './token.schema.js';

type S = Record<string, unknown>;
export interface Operation {
  method: 'get' | 'put' | 'post' | 'patch' | 'delete';
  path: string;
  id: string;
  summary: string;
  query?: S;
  /** DELETE /failed takes its selection as a query or a body. */
  body?: S;
  /** Request headers it reads besides the token. */
  headers?: S[];
  answers: Record<number, S>;
  /** The body's and the answer's media type when not JSON (JSON lines, Prometheus text). */
  media?: { body?: string; answer?: string };
}

const op = (method: Operation['method'], path: string, id: string, summary: string, io: { query?: S; body?: S; headers?: S[]; media?: Operation['media'] }, ok: Record<number, S>): Operation =>
  ({ method, path, id, summary, ...io, answers: ok });

const NDJSON = 'application/x-ndjson';
/** A JSON-lines stream as OpenAPI 3.1 can say it: text, one JSON document per line. */
const EXPORT_LINES: S = { type: 'string', description: 'JSON lines: a header, then queue, schedule, task and token lines, then an end line (README "Export and import")' };

/** W3C Trace Context on a publish (src/trace-context.ts). */
const TRACEPARENT_HEADER: S = {
  name: 'traceparent', in: 'header', required: false, schema: { type: 'string' },
  description: 'W3C traceparent, kept with each task the publish makes (an event\'s own traceparent field wins); ignored when it does not parse',
};

/** Every route of the API. A route that express or the fast path serves and this list lacks fails a test. */
export const OPERATIONS: readonly Operation[] = [
  op('put', '/task', 'publish', 'Publish one event to every interested queue', { body: publishSchema, headers: [TRACEPARENT_HEADER] }, { 200: publishAnswer, 201: publishAnswer, 202: publishAnswer }),
  op('put', '/tasks', 'publishBatch', 'Publish up to 1,000 events, all or none', { body: publishBatchSchema, headers: [TRACEPARENT_HEADER] }, { 200: publishBatchAnswer, 201: publishBatchAnswer, 202: publishBatchAnswer }),
  op('get', '/task', 'claim', 'Take the next task (or count tasks) in the worker\'s queue order; wait long-polls', { query: claimQuerySchema }, { 200: claimAnswer }),
  op('post', '/task', 'report', 'Report success, failure or progress of a started task', { body: reportSchema }, { 200: reportAnswer }),
  op('post', '/tasks', 'reportBatch', 'Report several tasks; each applies on its own', { body: reportBatchSchema }, { 200: reportBatchAnswer }),
  op('delete', '/task', 'cancel', 'Cancel the waiting copies of one task (taskId) or of an event (eventId)', { query: cancelQuerySchema }, { 200: answers.cancelled }),
  op('put', '/worker', 'registerWorker', 'Register a worker for queues in priority order', { body: registerWorkerSchema }, { 201: answers.worker }),
  op('delete', '/worker', 'removeWorkers', 'Remove one worker (workerId) or every worker of a queue', { query: removeWorkerQuerySchema }, { 200: answers.workersRemoved }),
  op('put', '/interest', 'setInterests', 'Set a queue\'s interests (creates the queue: 201)', { body: setInterestsSchema }, { 200: answers.interestsSet, 201: answers.interestsSet }),
  op('delete', '/interest', 'removeInterests', 'Remove a queue\'s interests', { query: removeInterestsQuerySchema }, { 200: answers.interestsRemoved }),
  op('get', '/interest/history', 'interestHistory', 'A queue\'s interest changes, newest first: revision, interests, who, when', { query: interestHistoryQuerySchema }, { 200: answers.interestHistory }),
  op('post', '/interest/rollback', 'rollbackInterests', 'Put back the interests of an earlier revision (a new change)', { body: rollbackInterestsSchema }, { 200: answers.rolledBack }),
  op('post', '/interest/what-if', 'whatIf', 'Replay the sample of recent events against a draft of one queue\'s interests: gained, lost, unrouted', { body: whatIfSchema }, { 200: answers.whatIf }),
  op('get', '/unrouted', 'listUnrouted', 'Events no queue wanted, newest first (filters: publisher, search, field = value)', { query: listUnroutedQuerySchema }, { 200: answers.unrouted }),
  op('post', '/unrouted/replay', 'replayUnrouted', 'Route kept unrouted events (eventIds, or all: true with filters) through the interests as they are now', { body: replayUnroutedSchema }, { 200: answers.replayed }),
  op('delete', '/unrouted', 'deleteUnrouted', 'Let kept unrouted events go (eventIds, or all: true with filters)', { query: deleteUnroutedSchema, body: deleteUnroutedSchema }, { 200: answers.deleted }),
  op('post', '/interest/dry-run', 'dryRun', 'Which queues an event would reach, and why; stores nothing', { body: dryRunSchema }, { 200: answers.dryRun }),
  op('delete', '/queue', 'deleteQueue', 'Remove a queue, its interests and its waiting tasks', { query: queueQuerySchema }, { 200: answers.queueDeleted }),
  op('patch', '/queue', 'setQueuePolicy', 'Change a queue\'s policy (creates the queue: 201)', { body: patchQueueSchema }, { 200: answers.queuePolicy, 201: answers.queuePolicy }),
  op('get', '/queue/tasks', 'listQueueTasks', 'A queue\'s tasks in one state, newest first', { query: queueTasksQuerySchema }, { 200: answers.taskPage }),
  op('delete', '/queue/tasks', 'purgeQueue', 'Erase a queue\'s waiting tasks', { query: queueQuerySchema }, { 200: answers.purged }),
  op('get', '/status', 'status', 'The overview, or one part of it (queue, queues, workerQueue, interests, workers, failedQueue, task)', { query: statusQuerySchema }, { 200: answers.status }),
  op('get', '/throughput', 'throughput', 'Per-minute counts of the last minutes', { query: throughputQuerySchema }, { 200: answers.throughput }),
  op('get', '/failed', 'listFailed', 'Failed tasks, newest first, filtered', { query: listFailedQuerySchema }, { 200: answers.taskPage }),
  op('post', '/failed/retry', 'retryFailed', 'Retry failed tasks (by id, or all matching a filter)', { body: retryFailedSchema }, { 200: answers.retried }),
  op('delete', '/failed', 'deleteFailed', 'Delete failed tasks (by id, or all matching a filter)', { query: deleteFailedSchema, body: deleteFailedSchema }, { 200: answers.deleted }),
  op('put', '/schedule', 'putSchedule', 'Create (201) or replace a schedule', { body: putScheduleSchema }, { 200: answers.schedule, 201: answers.schedule }),
  op('get', '/schedule', 'listSchedules', 'Every schedule, or one by name', { query: listSchedulesQuerySchema }, { 200: answers.schedules }),
  op('patch', '/schedule', 'pauseSchedule', 'Pause or resume a schedule', { body: patchScheduleSchema }, { 200: answers.schedule }),
  op('delete', '/schedule', 'deleteSchedule', 'Remove a schedule', { query: scheduleNameQuerySchema }, { 200: answers.scheduleDeleted }),
  op('put', '/token', 'createToken', 'Make a token; its secret is answered this once', { body: putTokenSchema }, { 201: answers.tokenMade }),
  op('get', '/token', 'listTokens', 'Every token, never a secret', { query: listTokensQuerySchema }, { 200: answers.tokens }),
  op('delete', '/token', 'deleteToken', 'Revoke a token', { query: tokenNameQuerySchema }, { 200: answers.deleted }),
  op('get', '/whoami', 'whoami', 'Whether the broker needs a token, and what the one sent may do', {}, { 200: answers.whoami }),
  op('get', '/audit', 'listAudit', 'The trail of admin changes, newest first', { query: listAuditQuerySchema }, { 200: answers.audit }),
  op('get', '/export', 'exportState', 'The whole state as JSON lines: queues, schedules, waiting, started and failed tasks, token hashes', { query: exportQuerySchema, media: { answer: NDJSON } }, { 200: EXPORT_LINES }),
  op('post', '/import', 'importState', 'Load lines of an export (at most 1,000 tasks a request), all or nothing', { query: importQuerySchema, body: EXPORT_LINES, media: { body: NDJSON } }, { 200: answers.imported }),
  op('get', '/tap', 'tap', 'Routing decisions as this node makes them, as Server-Sent Events (queue, publisher, rate)', { query: tapQuerySchema, media: { answer: 'text/event-stream' } }, { 200: { type: 'string', description: 'data: {eventId, publisher, at, data, queues: [{queue, interest}], unrouted} per decision' } }),
  op('get', '/healthz', 'health', '200 once the store answers, 503 otherwise', {}, { 200: answers.health }),
  op('get', '/metrics', 'metrics', 'Prometheus text', { media: { answer: 'text/plain' } }, { 200: answers.metrics }),
  op('get', '/openapi.json', 'openapi', 'This document', {}, { 200: answers.openapi }),
];

/** Query parameters of an operation, one per property of its query schema. */
function parameters(query: S | undefined): S[] {
  const props = (query?.properties ?? {}) as Record<string, S>;
  const required = (query?.required ?? []) as string[];
  return Object.entries(props).map(([name, schema]) => ({ name, in: 'query', required: required.includes(name), schema }));
}

const contentOf = (schema: S, media = 'application/json') => ({ content: { [media]: { schema } } });

function bodyContent(o: Operation): S {
  if (o.media?.body) return { [o.media.body]: { schema: o.body } };
  return { 'application/json': { schema: o.body }, 'application/x-www-form-urlencoded': { schema: o.body } };
}

function operationOf(o: Operation): S {
  const need = needOf(o.method.toUpperCase(), o.path, {}, undefined);
  const who = need.open ? 'Open: needs no token.' : need.role === 'admin' ? 'Needs an admin token.' : `Needs a ${need.role} token (or admin).`;
  return {
    operationId: o.id, summary: o.summary, description: who,
    ...(need.open ? { security: [] } : {}),
    parameters: [...parameters(o.query), ...(o.headers ?? [])],
    ...(o.body ? { requestBody: { required: o.method !== 'delete', content: bodyContent(o) } } : {}),
    responses: {
      ...Object.fromEntries(Object.entries(o.answers).map(([status, schema]) => [status, { description: `${status}`, ...contentOf(schema, o.media?.answer) }])),
      '4XX': { description: 'refused: the code says why', ...contentOf({ $ref: '#/components/schemas/Error' }) },
      '5XX': { description: 'store_unavailable (503) or internal_error (500)', ...contentOf({ $ref: '#/components/schemas/Error' }) },
    },
  };
}

export function openApiDocument(version: string): S {
  const paths: Record<string, S> = {};
  for (const o of OPERATIONS) paths[o.path] = { ...(paths[o.path] ?? {}), [o.method]: operationOf(o) };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchyard', version,
      description: `Interest-routed pub/sub task broker. Errors: ${Object.entries(ERRORS).map(([code, status]) => `${code} (${status})`).join(', ')}.`,
    },
    components: {
      schemas: { Error: answers.errorAnswer },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
    security: [{ bearer: [] }],
    paths,
  };
}

export function openApiRoutes(version: string): Router {
  const doc = openApiDocument(version);
  const r = Router();
  r.get('/openapi.json', (_req, res) => { res.json(doc); });
  return r;
}
