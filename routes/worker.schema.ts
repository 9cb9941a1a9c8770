import { ID, QUEUE_NAME } from './common.schema.js';

export const registerWorkerSchema = {
  type: 'object',
  required: ['queues'],
  additionalProperties: false,
  properties: {
    // A comma-separated string or an array, in priority order.
    queues: { anyOf: [{ type: 'string', minLength: 1, maxLength: 20_000 }, { type: 'array', minItems: 1, maxItems: 100, items: QUEUE_NAME }] },
    name: { type: 'string', maxLength: 200 },
  },
} as const;

export const removeWorkerQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { workerId: ID, queue: QUEUE_NAME },
  // Exactly one of workerId / queue: checked by exactlyOne() in the route, for a clearer message than oneOf's.
} as const;
