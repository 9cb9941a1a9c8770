// The documents of the layout besides queues and lanes (docs/couchbase.md): meta (the interests
// revision and every queue's name), workers, failed lists, finished minutes, events, schedules.
import type { ScheduleRecord, TaskRecord, Totals } from '../store.js';

export interface MetaDoc { revision: number; queues: string[] }
export interface WorkerDoc { workerId: string; name: string; queues: string[]; registeredAtMs: number; lastSeenAtMs: number; tasksDone: number; tasks: string[] }
export interface FailedDoc { entries: [taskId: string, finishedAtMs: number][] }
/** The tasks of a queue that succeeded or were cancelled in one minute. `of` (beside ids, index for
 *  index) holds what pruning needs once a task's own document has expired: its event, its state and
 *  when it finished. Documents from before it have ids alone (pruning then reads the tasks). */
export interface FinishedDoc { ids: string[]; of?: FinishedFacts[] }
export type FinishedFacts = [eventId: string, state: 'succeeded' | 'cancelled', finishedAtMs: number];
/** An event's copies (reEnqueue copies too), and the payload the copies in sharedBy share
 *  (lifecycle/copies.ts sharesPayload): it goes with the last of them, the document with the last copy. */
export interface EventDoc { taskIds: string[]; data?: Record<string, unknown>; sharedBy?: string[] }
/** A task as stored: a copy whose payload is its event's holds sharedPayload and an empty data; a
 *  task in a shard above 0 of its queue holds its number. Neither leaves the store (withPayloads). */
export type TaskDoc = TaskRecord & { sharedPayload?: true; shard?: number };
/** Every schedule in one document: the layout before one document each (moved out on first use). */
export interface SchedulesDoc { schedules: Record<string, ScheduleRecord> }
export interface ScheduleNamesDoc { names: string[] }

export type TotalsField = keyof Totals;

/** Bounded work per transaction for sweeps and bulk moves that touch many task documents. */
export const TASKS_PER_TRANSACTION = 200;
