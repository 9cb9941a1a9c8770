// Schemas of what the routes answer, for the OpenAPI document (openapi.ts). The HTTP tests check every
// answer they receive against them (test/helpers/http.ts), so an answer that changes shape without
// its schema fails a test. Objects list what they always hold; further fields are allowed.
import { ERRORS } from '../src/errors.js';
import { ROLES } from '../src/model.js';

type S = Record<string, unknown>;
const obj = (properties: Record<string, S>, optional: string[] = []): S =>
  ({ type: 'object', required: Object.keys(properties).filter((k) => !optional.includes(k)), properties });
const arrayOf = (items: S): S => ({ type: 'array', items });
const nullable = (s: S): S => ({ anyOf: [s, { type: 'null' }] });

const STRING = { type: 'string' };
const INT = { type: 'integer', minimum: 0 };
const NUMBER = { type: 'number' };
const BOOL = { type: 'boolean' };
/** Unix seconds, fractions allowed. */
const TIME = { type: 'number', minimum: 0 };
const OBJECT = { type: 'object' };
const STATE = { enum: ['scheduled', 'ready', 'started', 'succeeded', 'failed', 'cancelled'] };
const HELD_BY = nullable({ enum: ['paused', 'concurrency', 'rateLimit'] });
const INTERESTS = { anyOf: [{ const: '*' }, { type: 'object', additionalProperties: STRING }, { type: 'array', items: { type: 'object' } }, { type: 'null' }] };

/** A kept event: what GET /unrouted lists and what-if gives as examples. */
const UNROUTED_EVENT = obj({ eventId: STRING, publisher: STRING, at: TIME, data: OBJECT });

export const errorAnswer = obj({
  error: STRING,
  code: { enum: Object.keys(ERRORS) },
  details: { type: 'array' },
});

/** A task as a worker receives it. */
export const workTask = obj({
  taskId: STRING, eventId: STRING, queue: STRING, publisher: STRING, data: OBJECT, priority: { type: 'integer' },
  attempts: INT, runAt: TIME, createdAt: TIME, leaseExpiresAt: nullable(TIME),
  // Only when its publish carried one (W3C Trace Context).
  traceparent: STRING,
}, ['traceparent']);

/** The whole task, as status and the failed queue show it. */
export const task = {
  ...workTask,
  required: [...(workTask.required as string[]), 'state', 'maxAttempts', 'workerId', 'targetWorkerId', 'finishedAt', 'uniqueKey',
    'singularlyRun', 'failReason', 'result', 'route', 'history'],
  properties: {
    ...(workTask.properties as S),
    state: STATE, maxAttempts: nullable({ type: 'integer' }), workerId: nullable(STRING), targetWorkerId: nullable(STRING),
    finishedAt: nullable(TIME), uniqueKey: nullable(STRING), singularlyRun: BOOL, failReason: nullable(STRING), result: {},
    route: obj({ revision: INT, interest: { anyOf: [{ enum: ['*', 'direct'] }, obj({ field: STRING, keyPattern: STRING, valuePattern: STRING }), obj({ clause: INT, conditions: OBJECT })] } }),
    history: arrayOf(obj({ at: TIME, what: STRING })),
    // Only for a task that brought its own push target: its origin.
    pushTo: STRING,
  },
};

const taskPage = obj({ total: INT, tasks: arrayOf(task) });

export const worker = obj({
  workerId: STRING, name: STRING, queues: arrayOf(STRING), registeredAt: TIME, lastSeenAt: TIME, tasksDone: INT, tasks: arrayOf(STRING),
});

const published = obj({
  eventId: STRING, status: { enum: ['enqueued', 'scheduled', 'discarded'] },
  tasks: arrayOf(obj({ taskId: STRING, queue: STRING })), deduplicated: arrayOf(STRING), replayed: BOOL,
}, ['deduplicated', 'replayed']);
const accepted = obj({ status: { const: 'accepted' }, events: INT }, ['events']);

export const publishAnswer = { anyOf: [published, accepted] };
export const publishBatchAnswer = { anyOf: [obj({ events: arrayOf(published) }), accepted] };

const reportOk = obj({
  taskId: STRING, state: { enum: ['succeeded', 'failed', 'scheduled', 'ready', 'started', 'cancelled'] },
  retryAt: TIME, reEnqueuedTaskId: STRING, leaseExpiresAt: TIME,
}, ['retryAt', 'reEnqueuedTaskId', 'leaseExpiresAt']);
// With the request's `next`: the worker's next task, or null.
export const reportAnswer = { ...reportOk, properties: { ...(reportOk.properties as S), task: nullable(workTask) } };
export const reportBatchAnswer = obj({
  results: arrayOf({ anyOf: [{ ...reportOk, required: ['ok', ...(reportOk.required as string[])], properties: { ...(reportOk.properties as S), ok: { const: true } } }, obj({ ok: { const: false }, taskId: STRING, code: STRING, error: STRING }, ['taskId'])] }),
  // Only with the request's `claim`.
  tasks: arrayOf(workTask),
}, ['tasks']);
export const claimAnswer = { anyOf: [obj({ task: nullable(workTask) }), obj({ tasks: arrayOf(workTask) })] };

const policy = obj({
  paused: BOOL, maxAttempts: { type: 'integer' }, backoffSeconds: NUMBER, maxBackoffSeconds: NUMBER, leaseSeconds: nullable(NUMBER),
  rateLimit: nullable(NUMBER), concurrency: nullable({ type: 'integer' }), pushUrl: nullable(STRING), pushTimeoutSeconds: NUMBER, hasPushSecret: BOOL,
  allowTaskPushUrl: BOOL,
});
const counts = obj(Object.fromEntries((STATE.enum as string[]).map((s) => [s, INT])));
const throughputMinute = obj({ minute: TIME, published: INT, started: INT, succeeded: INT, failed: INT, retried: INT });
const queueBrief = obj({ name: STRING, length: INT, counts, paused: BOOL, heldBy: HELD_BY });
const schedule = obj({
  name: STRING, cron: STRING, timezone: nullable(STRING), event: OBJECT, paused: BOOL, createdAt: TIME, updatedAt: TIME,
  lastTickAt: TIME, lastFiredAt: nullable(TIME), lastEventId: nullable(STRING), lastMissedTicks: INT, nextRuns: arrayOf(TIME),
});
const token = obj({ name: STRING, role: { enum: ROLES }, queues: nullable(arrayOf(STRING)), createdAt: TIME, lastUsedAt: nullable(TIME) });

export const answers = {
  workTask, task, worker, errorAnswer,
  cancelled: obj({ cancelled: INT }),
  workersRemoved: obj({ workers: INT, tasksReturned: INT, tasksCancelled: INT }),
  interestsSet: obj({ queue: STRING, interests: INTERESTS, revision: INT }),
  interestsRemoved: obj({ queue: STRING, interests: { type: 'null' } }),
  interestHistory: obj({ queue: STRING, total: INT, changes: arrayOf(obj({ revision: INT, interests: INTERESTS, who: nullable(STRING), at: TIME, rollbackOf: nullable(INT) })) }),
  rolledBack: { anyOf: [obj({ queue: STRING, interests: INTERESTS, revision: INT }), obj({ queue: STRING, interests: { type: 'null' } })] },
  dryRun: {
    anyOf: [
      obj({ revision: INT, status: STRING, copies: INT, queues: arrayOf(obj({ queue: STRING, matched: BOOL })) }),
      obj({ valid: BOOL, problems: { type: 'array' } }),
    ],
  },
  queueDeleted: obj({ queue: STRING, deleted: BOOL, waitingTasksDeleted: INT }),
  queuePolicy: { ...policy, required: ['queue', ...(policy.required as string[])], properties: { ...(policy.properties as S), queue: STRING } },
  purged: obj({ queue: STRING, purged: INT }),
  taskPage,
  throughput: { anyOf: [obj({ minutes: arrayOf(throughputMinute) }), obj({ queues: { type: 'object', additionalProperties: arrayOf(throughputMinute) } })] },
  status: {
    anyOf: [
      obj({ task: { ...task, required: [...(task.required as string[]), 'heldBy'], properties: { ...(task.properties as S), heldBy: nullable(STRING) } } }),
      obj({ workerId: STRING, length: INT, tasks: arrayOf(task) }),
      taskPage,
      obj({ queue: STRING, length: INT, counts, heldBy: HELD_BY, policy, interests: INTERESTS }),
      obj({ total: INT, queues: arrayOf(queueBrief) }),
      obj({ revision: INT, interests: { type: 'object', additionalProperties: INTERESTS }, matches: { type: 'object', additionalProperties: { type: 'object', additionalProperties: obj({ count: INT, lastMatchAt: TIME }) } } }),
      obj({ workers: arrayOf(worker) }),
      obj({
        queues: arrayOf(queueBrief), workers: INT, failed: INT, fastPostErrors: INT, unrouted: INT,
        throughput: obj({ minutes: arrayOf(throughputMinute) }), schedules: arrayOf(obj({ name: STRING, paused: BOOL, nextRunAt: nullable(TIME) })),
        warnings: arrayOf({ anyOf: [obj({ kind: { const: 'unserved' }, queue: STRING, waiting: INT, hasInterests: BOOL }), obj({ kind: { const: 'starved' }, queue: STRING, ready: INT, behind: arrayOf(STRING) }),
          obj({ kind: { const: 'unmatched' }, queue: STRING, interest: STRING, lastMatchAt: nullable(TIME), eventsLastHour: INT })] }),
      }),
    ],
  },
  health: obj({ ok: BOOL, store: STRING }),
  metrics: STRING,
  retried: obj({ retried: INT }),
  deleted: obj({ deleted: INT }),
  schedule,
  schedules: { anyOf: [obj({ schedules: arrayOf(schedule) }), obj({ schedule })] },
  scheduleDeleted: obj({ name: STRING, deleted: BOOL }),
  tokenMade: { ...token, required: [...(token.required as string[]), 'token'], properties: { ...(token.properties as S), token: STRING } },
  tokens: obj({ tokens: arrayOf(token) }),
  whoami: obj({ open: BOOL, name: nullable(STRING), role: nullable({ enum: ROLES }), queues: nullable(arrayOf(STRING)) }),
  audit: obj({ total: INT, entries: arrayOf(obj({ at: TIME })) }),
  openapi: obj({ openapi: STRING, info: OBJECT, paths: OBJECT }),
  whatIf: obj({
    queue: STRING, sampled: INT, sampleFrom: nullable(TIME), sampleTo: nullable(TIME), matchedNow: INT, matchedDraft: INT,
    gained: obj({ count: INT, examples: arrayOf(UNROUTED_EVENT) }), lost: obj({ count: INT, examples: arrayOf(UNROUTED_EVENT) }),
    unrouted: obj({ now: INT, draft: INT }),
  }),
  unrouted: obj({ total: INT, keepSeconds: INT, events: arrayOf(UNROUTED_EVENT) }),
  replayed: obj({ replayed: INT, routed: INT, stillUnrouted: INT, events: arrayOf(obj({ eventId: STRING, status: STRING, tasks: arrayOf(obj({ taskId: STRING, queue: STRING })) })) }),
  imported: obj({ queues: INT, schedules: INT, tokens: INT, tasks: INT, skipped: INT, pausedForPushSecret: arrayOf(STRING) }),
} as const;
