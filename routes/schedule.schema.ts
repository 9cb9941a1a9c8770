import { scheduledEventSchema } from './task.schema.js';

const NAME = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f]+$' } as const;

export const putScheduleSchema = {
  type: 'object', required: ['name', 'cron', 'event'], additionalProperties: false,
  properties: {
    name: NAME,
    cron: { type: 'string', minLength: 1, maxLength: 200 },
    timezone: { type: ['string', 'null'], minLength: 1, maxLength: 100 },
    event: scheduledEventSchema,
    paused: { type: 'boolean' },
  },
} as const;

export const patchScheduleSchema = {
  type: 'object', required: ['name', 'paused'], additionalProperties: false,
  properties: { name: NAME, paused: { type: 'boolean' } },
} as const;

export const scheduleNameQuerySchema = {
  type: 'object', required: ['name'], additionalProperties: false, properties: { name: NAME },
} as const;

export const listSchedulesQuerySchema = {
  type: 'object', additionalProperties: false, properties: { name: NAME },
} as const;
