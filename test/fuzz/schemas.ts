// Every route's schemas, as the routes compile them.
export * as taskSchemas from '../../routes/task.schema.js';
export * as workerSchemas from '../../routes/worker.schema.js';
export * as interestSchemas from '../../routes/interest.schema.js';
export * as queueSchemas from '../../routes/queue.schema.js';
export * as failedSchemas from '../../routes/failed.schema.js';
export * as scheduleSchemas from '../../routes/schedule.schema.js';
export * as statusSchemas from '../../routes/status.schema.js';
export * as tokenSchemas from '../../routes/token.schema.js';
