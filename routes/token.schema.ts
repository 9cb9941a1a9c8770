import { LIMIT, OFFSET, QUEUE_NAME } from './common.schema.js';
import { ROLES } from '../src/model.js';

const NAME = { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._@-]+$' } as const;

export const putTokenSchema = {
  type: 'object', required: ['name', 'role'], additionalProperties: false,
  properties: {
    name: NAME,
    role: { type: 'string', enum: ROLES },
    queues: { type: 'array', minItems: 1, maxItems: 100, items: QUEUE_NAME },
  },
} as const;

export const tokenNameQuerySchema = {
  type: 'object', required: ['name'], additionalProperties: false, properties: { name: NAME },
} as const;

export const listTokensQuerySchema = { type: 'object', additionalProperties: false, properties: {} } as const;

export const listAuditQuerySchema = { type: 'object', additionalProperties: false, properties: { limit: LIMIT, offset: OFFSET } } as const;
