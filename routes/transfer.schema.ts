// Schemas of GET /export and of each line POST /import takes (the lines GET /export writes).
import { ID, PUSH_URL, QUEUE_NAME } from './common.schema.js';
import { INTEREST_MAP } from './interest.schema.js';
import { patchQueueSchema } from './queue.schema.js';
import { putScheduleSchema } from './schedule.schema.js';
import { putTokenSchema } from './token.schema.js';
import { PUBLISH_FIELDS } from './task.schema.js';
import { TRACEPARENT_PATTERN } from '../src/trace-context.js';
import { EXPORTED_STATES } from '../src/lifecycle/imports.js';

const MS = { type: 'number', minimum: 0, maximum: 100_000_000_000_000 } as const;
const INT = { type: 'integer', minimum: 0 } as const;
const orNull = <T extends { type: string }>(s: T) => ({ ...s, type: [s.type, 'null'] });
const kind = (k: string) => ({ kind: { const: k } });
const closed = (properties: Record<string, unknown>, optional: string[] = []) =>
  ({ type: 'object', additionalProperties: false, required: Object.keys(properties).filter((p) => !optional.includes(p)), properties });

export const exportQuerySchema = { type: 'object', additionalProperties: false, properties: {} } as const;
export const importQuerySchema = {
  type: 'object', additionalProperties: false,
  properties: { existing: { enum: ['refuse', 'skip'] } },
} as const;

/** Every line has a kind; each kind is checked by its own schema below. */
export const lineKindSchema = {
  type: 'object', required: ['kind'],
  properties: { kind: { enum: ['header', 'queue', 'schedule', 'token', 'task', 'end'] } },
} as const;

const { queue: _q, pushSecret: _s, ...policyFields } = patchQueueSchema.properties;

export const lineSchemas = {
  header: {
    type: 'object', required: ['kind', 'format', 'version'],
    properties: { ...kind('header'), format: { type: 'string' }, version: { type: 'integer', minimum: 1 } },
  },
  queue: closed({ ...kind('queue'), name: QUEUE_NAME, declared: { type: 'boolean' }, interests: { anyOf: [INTEREST_MAP, { type: 'null' }] }, policy: closed(policyFields), hasPushSecret: { type: 'boolean' } }),
  schedule: closed({ ...kind('schedule'), ...putScheduleSchema.properties }, ['paused', 'timezone']),
  token: closed({
    ...kind('token'), ...putTokenSchema.properties, queues: { anyOf: [putTokenSchema.properties.queues, { type: 'null' }] },
    hash: { type: 'string', pattern: '^[0-9a-f]{64}$' }, createdAtMs: MS, lastUsedAtMs: orNull(MS),
  }),
  task: {
    ...closed({
      ...kind('task'), taskId: ID, eventId: ID, queue: QUEUE_NAME, publisher: PUBLISH_FIELDS.publisher, data: { type: 'object' },
      state: { enum: EXPORTED_STATES }, priority: PUBLISH_FIELDS.priority, attempts: INT, maxAttempts: orNull(PUBLISH_FIELDS.maxAttempts),
      runAtMs: MS, createdAtMs: MS, workerId: orNull(ID), targetWorkerId: orNull(ID), leaseExpiresAtMs: orNull(MS), finishedAtMs: orNull(MS),
      uniqueKey: orNull(PUBLISH_FIELDS.uniqueKey), singularlyRun: { type: 'boolean' }, failReason: { type: ['string', 'null'] }, result: {},
      route: { type: 'object' }, history: { type: 'array', items: { type: 'object', required: ['atMs', 'what'], properties: { atMs: MS, what: { type: 'string' } } } },
      traceparent: { type: ['string', 'null'], maxLength: 512, pattern: TRACEPARENT_PATTERN }, pushUrl: orNull(PUSH_URL),
    }),
    // A started task is somebody's, until its lease runs out.
    if: { properties: { state: { const: 'started' } } },
    then: { properties: { workerId: { type: 'string' }, leaseExpiresAtMs: { type: 'number' } } },
  },
  end: closed({ ...kind('end'), tasks: INT }),
} as const;
