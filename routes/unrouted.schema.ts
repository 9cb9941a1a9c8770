import { ID, LIMIT, OFFSET, TEXT_FILTER } from './common.schema.js';

// The failed queue's filters, less queue and reason: an unrouted event has neither.
const FILTERS = { publisher: TEXT_FILTER, search: TEXT_FILTER, field: TEXT_FILTER, value: { type: 'string', maxLength: 1000 } } as const;

export const listUnroutedQuerySchema = {
  type: 'object', additionalProperties: false, properties: { ...FILTERS, limit: LIMIT, offset: OFFSET },
} as const;

const SELECTION = {
  eventIds: { type: 'array', minItems: 1, maxItems: 1000, items: ID },
  all: { type: 'boolean', const: true },
  ...FILTERS,
} as const;

export const replayUnroutedSchema = { type: 'object', additionalProperties: false, properties: SELECTION } as const;

export const deleteUnroutedSchema = {
  type: 'object', additionalProperties: false,
  properties: { ...SELECTION, eventIds: { anyOf: [SELECTION.eventIds, { type: 'string', minLength: 1, maxLength: 100_000 }] } },
} as const;
