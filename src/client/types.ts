// The SDK's request and answer types, taken from the generated OpenAPI types (api-types/, one file
// per area), so the SDK cannot drift from the server: a changed answer changes these, and the SDK
// stops compiling.
import type { operations as work } from './api-types/work.js';
import type { operations as publish } from './api-types/publish.js';
import type { operations as failed } from './api-types/failed.js';
import type { operations as queues } from './api-types/queues.js';
import type { operations as status } from './api-types/status.js';
import type { operations as transfer } from './api-types/transfer.js';

type operations = work & publish & failed & queues & status & transfer;

type Body<O extends keyof operations> = operations[O] extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
type Answer<O extends keyof operations, S extends number> = operations[O]['responses'] extends Record<S, { content: { 'application/json': infer A } }> ? A : never;
type Query<O extends keyof operations> = operations[O]['parameters'] extends { query?: infer Q } ? NonNullable<Q> : never;

/** A PUT /task body. */
export type PublishEvent = Omit<Body<'publish'>, 'fastPost'>;
/** What a publish answers (the event's copies, or discarded when no queue is interested). */
export type Published = Extract<Answer<'publish', 201>, { eventId: string }>;
/** A task as a worker receives it. */
export type Task = NonNullable<Extract<Answer<'claim', 200>, { task: unknown }>['task']>;
/** The whole task, as status and the failed queue show it. */
export type TaskRecord = Answer<'listFailed', 200>['tasks'][number];
export type Worker = Answer<'registerWorker', 201>;
export type ReportAnswer = Answer<'report', 200>;
export type ReportResult = Answer<'reportBatch', 200>['results'][number];
export type InterestMap = Body<'setInterests'>['interests'];
export type QueuePolicy = Omit<Body<'setQueuePolicy'>, 'queue'>;
export type QueuePolicyAnswer = Answer<'setQueuePolicy', 200>;
export type FailedFilter = Omit<Query<'listFailed'>, 'limit' | 'offset'>;
export type FailedPage = Answer<'listFailed', 200>;
export type RetryFailed = Body<'retryFailed'>;
export type ScheduleDefinition = Body<'putSchedule'>;
export type Schedule = Answer<'putSchedule', 201>;
export type Status = Answer<'status', 200>;
export type StatusQuery = Query<'status'>;
/** What POST /import answers for one batch. */
export type Imported = Answer<'importState', 200>;
