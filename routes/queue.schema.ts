import { LIMIT, OFFSET, PUSH_URL, QUEUE_NAME } from './common.schema.js';

export const patchQueueSchema = {
  type: 'object',
  required: ['queue'],
  additionalProperties: false,
  properties: {
    queue: QUEUE_NAME,
    paused: { type: 'boolean' },
    maxAttempts: { type: 'integer', minimum: 1, maximum: 1000 },
    backoffSeconds: { type: 'number', minimum: 0, maximum: 86400 },
    maxBackoffSeconds: { type: 'number', minimum: 0, maximum: 30 * 86400 },
    leaseSeconds: { type: ['number', 'null'], minimum: 1, maximum: 7 * 86400 },
    rateLimit: { type: ['number', 'null'], exclusiveMinimum: 0, maximum: 1_000_000 },
    concurrency: { type: ['integer', 'null'], minimum: 1, maximum: 1_000_000 },
    pushUrl: { ...PUSH_URL, type: ['string', 'null'] },
    pushTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 3600 },
    pushSecret: { type: ['string', 'null'], minLength: 1, maxLength: 500 },
    allowTaskPushUrl: { type: 'boolean' },
  },
} as const;

export const queueQuerySchema = {
  type: 'object', required: ['queue'], additionalProperties: false, properties: { queue: QUEUE_NAME },
} as const;

export const queueTasksQuerySchema = {
  type: 'object', required: ['queue', 'state'], additionalProperties: false,
  properties: {
    queue: QUEUE_NAME,
    state: { enum: ['scheduled', 'ready', 'started', 'succeeded', 'failed', 'cancelled'] },
    limit: LIMIT, offset: OFFSET,
  },
} as const;
