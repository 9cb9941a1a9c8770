import { ID, LIMIT, OFFSET, QUEUE_NAME, TEXT_FILTER } from './common.schema.js';

// field + value: a payload field (dot path) whose text equals value; value may be empty.
const FILTERS = { queue: QUEUE_NAME, reason: TEXT_FILTER, search: TEXT_FILTER, field: TEXT_FILTER, value: { type: 'string', maxLength: 1000 } } as const;

export const listFailedQuerySchema = {
  type: 'object', additionalProperties: false,
  properties: { ...FILTERS, limit: LIMIT, offset: OFFSET },
} as const;

const SELECTION = {
  taskIds: { type: 'array', minItems: 1, maxItems: 1000, items: ID },
  all: { type: 'boolean', const: true },
  ...FILTERS,
} as const;

export const retryFailedSchema = {
  type: 'object', additionalProperties: false,
  properties: { ...SELECTION, toQueue: QUEUE_NAME, data: { type: 'object' } },
} as const;

export const deleteFailedSchema = {
  type: 'object', additionalProperties: false,
  properties: { ...SELECTION, taskIds: { anyOf: [SELECTION.taskIds, { type: 'string', minLength: 1, maxLength: 100_000 }] } },
} as const;
