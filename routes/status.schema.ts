import { ID, LIMIT, OFFSET, QUEUE_NAME, TEXT_FILTER } from './common.schema.js';

// A part named without a value (?queues) or with any short one (?queues=1).
const FLAG = { type: 'string', maxLength: 10 } as const;

// CouchQueue's parameters: each selects one part; the empty query is the overview.
export const statusQuerySchema = {
  type: 'object', additionalProperties: false, maxProperties: 6,
  properties: {
    queue: QUEUE_NAME, queues: FLAG, workerQueue: ID, interests: FLAG,
    workers: FLAG, failedQueue: FLAG, task: ID,
    reason: TEXT_FILTER, search: TEXT_FILTER, field: TEXT_FILTER, value: { type: 'string', maxLength: 1000 },
    match: TEXT_FILTER, limit: LIMIT, offset: OFFSET,
  },
} as const;

export const throughputQuerySchema = {
  type: 'object', additionalProperties: false,
  properties: {
    // Comma-separated, at most 100 names (checked in the route): one series per queue.
    queues: { type: 'string', minLength: 1, maxLength: 20_100 },
    minutes: { type: 'integer', minimum: 1, maximum: 1440 },
  },
} as const;
