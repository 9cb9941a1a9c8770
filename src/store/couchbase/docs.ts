// The documents of the layout besides queues and lanes (docs/couchbase.md): meta (the interests
// revision and every queue's name), workers, failed lists, finished minutes, events, schedules.
import type { ScheduleRecord, Totals } from '../store.js';

export interface MetaDoc { revision: number; queues: string[] }
export interface WorkerDoc { workerId: string; name: string; queues: string[]; registeredAtMs: number; lastSeenAtMs: number; tasksDone: number; tasks: string[] }
export interface FailedDoc { entries: [taskId: string, finishedAtMs: number][] }
export interface FinishedDoc { ids: string[] }
export interface EventDoc { taskIds: string[] }
export interface SchedulesDoc { schedules: Record<string, ScheduleRecord> }

export type TotalsField = keyof Totals;

/** Bounded work per transaction for sweeps and bulk moves that touch many task documents. */
export const TASKS_PER_TRANSACTION = 200;
