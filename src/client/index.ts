// switchyard/client: a Worker, a Publisher and the Admin calls, over the broker's HTTP API. Its
// types come from the OpenAPI document (api-types/, generated), so they follow the server.
export { Worker, type WorkerOptions, type Handler, type HandlerContext } from './worker.js';
export { Publisher, type PublisherOptions } from './publisher.js';
export { Admin } from './admin.js';
export { Connection, type ConnectionOptions } from './connection.js';
export { SwitchyardError, UnreachableError } from './errors.js';
export type { QueueStats } from './stats.js';
export type * from './types.js';
