import { QUEUE_NAME } from './common.schema.js';
import { PUBLISH_FIELDS } from './task.schema.js';

export const tapQuerySchema = {
  type: 'object', additionalProperties: false,
  properties: {
    queue: QUEUE_NAME,
    publisher: PUBLISH_FIELDS.publisher,
    // The share of decisions sent: 0.01 is one in a hundred.
    rate: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
  },
} as const;
