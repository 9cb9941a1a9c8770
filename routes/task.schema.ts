// Schemas of PUT/GET/POST/DELETE /task and the batch forms PUT/POST /tasks.
import { ID, PUSH_URL, QUEUE_NAME } from './common.schema.js';
import { TRACEPARENT_PATTERN } from '../src/trace-context.js';

export const PUBLISH_FIELDS = {
  publisher: { type: 'string', minLength: 1, maxLength: 200 },
  data: { type: 'object' },
  runAt: { type: ['number', 'null'], minimum: 0, maximum: 100_000_000_000 },
  delay: { type: 'number', minimum: 0, maximum: 10 * 365 * 86400 },
  scope: { enum: ['any', 'all'] },
  singularlyEnqueue: { type: 'boolean' },
  singularlyRun: { type: 'boolean' },
  uniqueKey: { type: 'string', minLength: 1, maxLength: 512 },
  priority: { type: 'integer', minimum: -1_000_000, maximum: 1_000_000 },
  maxAttempts: { type: 'integer', minimum: 1, maximum: 1000 },
  // 'schedule:' keys are the scheduler's (one per tick): a publisher taking one first would block that tick.
  idempotencyKey: { type: 'string', minLength: 1, maxLength: 200, pattern: '^(?!schedule:)' },
} as const;

/** Straight into this queue, bypassing interests (as Resque and beanstalkd publish). Not in
 *  PUBLISH_FIELDS: the dry run's own `queue` names the queue of a draft interest map. */
const DIRECT = { queue: QUEUE_NAME } as const;
/** The event's own W3C traceparent (a batch's events may belong to different traces); without it,
 *  the request's `traceparent` header is kept (trace-context.ts). */
const TRACE = { traceparent: { type: 'string', maxLength: 512, pattern: TRACEPARENT_PATTERN } } as const;
/** The task's own push target, for queues whose policy allows one (allowTaskPushUrl). */
const OWN_PUSH = { pushUrl: PUSH_URL } as const;

export const publishSchema = {
  type: 'object',
  required: ['publisher', 'data'],
  additionalProperties: false,
  properties: { ...PUBLISH_FIELDS, ...DIRECT, ...TRACE, ...OWN_PUSH, fastPost: { type: 'boolean' } },
} as const;

/** The event a schedule publishes at each tick: a PUT /task body without runAt (the tick is the
 *  time; delay still works) and without idempotencyKey (each tick has its own). */
const { runAt: _runAt, idempotencyKey: _key, ...SCHEDULED_FIELDS } = PUBLISH_FIELDS;
export const scheduledEventSchema = {
  type: 'object', required: ['publisher', 'data'], additionalProperties: false, properties: { ...SCHEDULED_FIELDS, ...DIRECT },
} as const;

export const publishBatchSchema = {
  type: 'object',
  required: ['events'],
  additionalProperties: false,
  properties: {
    events: {
      type: 'array', minItems: 1, maxItems: 1000,
      items: { type: 'object', required: ['publisher', 'data'], additionalProperties: false, properties: { ...PUBLISH_FIELDS, ...DIRECT, ...TRACE, ...OWN_PUSH } },
    },
    fastPost: { type: 'boolean' },
  },
} as const;

const CLAIM_COUNT = { type: 'integer', minimum: 1, maximum: 100 } as const;
// Comma-separated: only these of the worker's queues (its order kept), e.g. those with free slots.
const CLAIM_QUEUES = { type: 'string', minLength: 1, maxLength: 20_000 } as const;

export const claimQuerySchema = {
  type: 'object',
  required: ['workerId'],
  additionalProperties: false,
  properties: {
    workerId: ID,
    wait: { type: 'number', minimum: 0, maximum: 30 },
    count: CLAIM_COUNT,
    queues: CLAIM_QUEUES,
  },
} as const;

const REPORT_FIELDS = {
  taskId: ID,
  state: { enum: ['success', 'fail', 'progress'] },
  failReason: { type: 'string', maxLength: 100_000 },
  reEnqueue: { type: 'boolean' },
  result: {},
} as const;

export const reportSchema = {
  type: 'object',
  required: ['workerId', 'taskId', 'state'],
  additionalProperties: false,
  // next: then take the worker's next task (no waiting), answered as `task`: a single-task worker
  // reports and takes in one round trip.
  properties: { workerId: ID, ...REPORT_FIELDS, next: { type: 'boolean' }, queues: CLAIM_QUEUES },
} as const;

export const reportBatchSchema = {
  type: 'object',
  required: ['workerId', 'reports'],
  additionalProperties: false,
  properties: {
    workerId: ID,
    reports: {
      type: 'array', minItems: 1, maxItems: 1000,
      items: { type: 'object', required: ['taskId', 'state'], additionalProperties: false, properties: REPORT_FIELDS },
    },
    // The worker's next claim, taken after these reports in the same commit (no waiting): a busy
    // worker reports and takes in one round trip. The answer's `tasks` are what it claimed. Up to
    // 1,000, as reports: a batch this size would otherwise need ten claims.
    claim: { type: 'object', required: ['count'], additionalProperties: false, properties: { count: { type: 'integer', minimum: 1, maximum: 1000 }, queues: CLAIM_QUEUES } },
  },
} as const;

export const cancelQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { taskId: ID, eventId: ID },
  // Exactly one of taskId / eventId: checked by exactlyOne() in the route, for a clearer message than oneOf's.
} as const;
