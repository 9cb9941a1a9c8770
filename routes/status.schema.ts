import { ID, LIMIT, OFFSET, QUEUE_NAME, TEXT_FILTER } from './common.schema.js';

// A part named without a value (?queues) or with any short one (?queues=1).
const FLAG = { type: 'string', maxLength: 10 } as const;

// CouchQueue's parameters: each selects one part; the empty query is the overview.
export const statusQuerySchema = {
  type: 'object', additionalProperties: false, maxProperties: 5,
  properties: {
    queue: QUEUE_NAME, queues: FLAG, workerQueue: ID, interests: FLAG,
    workers: FLAG, failedQueue: FLAG, task: ID,
    reason: TEXT_FILTER, search: TEXT_FILTER, limit: LIMIT, offset: OFFSET,
  },
} as const;
