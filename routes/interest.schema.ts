import { LIMIT, OFFSET, QUEUE_NAME } from './common.schema.js';
import { PUBLISH_FIELDS } from './task.schema.js';

/** A clause: fields (dot paths) each with a regex or one operator object (routing/clauses.ts checks
 *  what an operator takes, naming the clause and field). */
const CLAUSE = {
  type: 'object', minProperties: 1, maxProperties: 100, propertyNames: { minLength: 1, maxLength: 500 },
  additionalProperties: { anyOf: [{ type: 'string' }, { type: 'object', minProperties: 1, maxProperties: 1 }] },
} as const;

export const INTEREST_MAP = {
  anyOf: [
    { const: '*' },
    { type: 'object', minProperties: 1, maxProperties: 100, additionalProperties: { type: 'string' } },
    { type: 'array', minItems: 1, maxItems: 100, items: CLAUSE },
  ],
} as const;

export const setInterestsSchema = {
  type: 'object',
  required: ['queue', 'interests'],
  additionalProperties: false,
  properties: { queue: QUEUE_NAME, interests: INTEREST_MAP },
} as const;

export const interestHistoryQuerySchema = {
  type: 'object', required: ['queue'], additionalProperties: false, properties: { queue: QUEUE_NAME, limit: LIMIT, offset: OFFSET },
} as const;

export const rollbackInterestsSchema = {
  type: 'object', required: ['queue', 'revision'], additionalProperties: false,
  properties: { queue: QUEUE_NAME, revision: { type: 'integer', minimum: 1 } },
} as const;

export const removeInterestsQuerySchema = {
  type: 'object', required: ['queue'], additionalProperties: false, properties: { queue: QUEUE_NAME },
} as const;

/** A PUT /task body (publisher optional), plus an optional draft map for one queue. */
export const dryRunSchema = {
  type: 'object', required: ['data'], additionalProperties: false,
  properties: { ...PUBLISH_FIELDS, fastPost: { type: 'boolean' }, interests: INTEREST_MAP, queue: QUEUE_NAME },
} as const;

/** A draft of one queue's interests (null: none), replayed over the sample of recent events. */
export const whatIfSchema = {
  type: 'object', required: ['queue', 'interests'], additionalProperties: false,
  properties: { queue: QUEUE_NAME, interests: { anyOf: [INTEREST_MAP, { type: 'null' }] }, examples: { type: 'integer', minimum: 0, maximum: 50 } },
} as const;
