// Rows as the SQLite schema (schema.ts) stores them, and their conversion to the model's records.
import { DEFAULT_POLICY, type HistoryEntry, type QueuePolicy, type ScheduleRecord, type TaskRecord, type TaskState, type WorkerRecord, type WorkTask } from '../store.js';

export const THROUGHPUT_KEEP_MS = 24 * 3600_000;

/** A task's payload: its own, or ('') the one its event's copies share (schema migration 10). */
export const TASK_DATA = `COALESCE(NULLIF(tasks.data, ''), (SELECT payloads.data FROM payloads WHERE payloads.event_id = tasks.event_id))`;
/** Every column of a task row, its payload resolved: what `SELECT *` would be. */
export const TASK_COLUMNS = `seq, task_id, event_id, queue, publisher, ${TASK_DATA} AS data, state, priority, run_at_ms, created_at_ms,
  attempts, max_attempts, unique_key, singularly_run, target_worker_id, worker_id, lease_expires_at_ms, finished_at_ms, updated_at_ms,
  fail_reason, result, route, history, started_at_ms, traceparent, push_url`;
/** What a claim answers of each task it starts. */
export const WORK_COLUMNS = `seq, task_id, event_id, queue, publisher, ${TASK_DATA} AS data, priority, attempts, run_at_ms, created_at_ms, lease_expires_at_ms, traceparent, push_url`;

export interface TaskRow {
  seq: number; task_id: string; event_id: string; queue: string; publisher: string; data: string; state: TaskState;
  priority: number; run_at_ms: number; created_at_ms: number; attempts: number; max_attempts: number | null;
  unique_key: string | null; singularly_run: number; target_worker_id: string | null; worker_id: string | null;
  lease_expires_at_ms: number | null; finished_at_ms: number | null; updated_at_ms: number; fail_reason: string | null; result: string | null;
  route: string; history: string; started_at_ms: number | null; traceparent: string | null; push_url: string | null;
}
export interface QueueRow {
  queue: string; interests: string | null; paused: number; max_attempts: number; backoff_seconds: number;
  max_backoff_seconds: number; lease_seconds: number | null; rate_limit: number | null; concurrency: number | null;
  push_url: string | null; push_timeout_seconds: number; push_secret: string | null; allow_task_push_url: number; rate_tokens: number | null; rate_refilled_at_ms: number | null;
}
export interface ScheduleRow {
  name: string; cron: string; timezone: string | null; event: string; paused: number; created_at_ms: number; updated_at_ms: number;
  last_tick_ms: number; last_fired_at_ms: number | null; last_event_id: string | null; last_missed_ticks: number;
}
/** What closing a task answers (started_at_ms is NULL for tasks started before migration 5). */
export interface SucceededRow { queue: string; started_at_ms: number | null }
export interface WorkerRow { worker_id: string; name: string; queues: string; registered_at_ms: number; last_seen_at_ms: number; tasks_done: number }

export const POLICY_COLUMNS: Record<keyof QueuePolicy, string> = {
  paused: 'paused', maxAttempts: 'max_attempts', backoffSeconds: 'backoff_seconds', maxBackoffSeconds: 'max_backoff_seconds',
  leaseSeconds: 'lease_seconds', rateLimit: 'rate_limit', concurrency: 'concurrency', pushUrl: 'push_url',
  pushTimeoutSeconds: 'push_timeout_seconds', pushSecret: 'push_secret', allowTaskPushUrl: 'allow_task_push_url',
};

export function toTask(r: TaskRow): TaskRecord {
  return {
    taskId: r.task_id, eventId: r.event_id, queue: r.queue, publisher: r.publisher, data: JSON.parse(r.data), state: r.state,
    priority: r.priority, attempts: r.attempts, maxAttempts: r.max_attempts, runAtMs: r.run_at_ms, createdAtMs: r.created_at_ms,
    workerId: r.worker_id, targetWorkerId: r.target_worker_id, leaseExpiresAtMs: r.lease_expires_at_ms,
    finishedAtMs: r.finished_at_ms, uniqueKey: r.unique_key, singularlyRun: r.singularly_run === 1, failReason: r.fail_reason,
    result: r.result === null ? null : JSON.parse(r.result), route: JSON.parse(r.route), history: JSON.parse(r.history),
    traceparent: r.traceparent, pushUrl: r.push_url,
  };
}

/** A ready task a claim may start, with what orders it. */
export interface Candidate { seq: number; unique_key: string | null; singularly_run: number; priority: number; run_at_ms: number }

export type WorkRow = Pick<TaskRow, 'seq' | 'task_id' | 'event_id' | 'queue' | 'publisher' | 'data' | 'priority' | 'attempts' | 'run_at_ms' | 'created_at_ms' | 'lease_expires_at_ms' | 'traceparent' | 'push_url'>;

export function toWorkTask(r: WorkRow): WorkTask {
  return {
    taskId: r.task_id, eventId: r.event_id, queue: r.queue, publisher: r.publisher, data: JSON.parse(r.data), priority: r.priority,
    attempts: r.attempts, runAtMs: r.run_at_ms, createdAtMs: r.created_at_ms, leaseExpiresAtMs: r.lease_expires_at_ms,
    traceparent: r.traceparent, pushUrl: r.push_url,
  };
}

export function toPolicy(q: QueueRow | undefined): QueuePolicy {
  if (!q) return { ...DEFAULT_POLICY };
  return {
    paused: q.paused === 1, maxAttempts: q.max_attempts, backoffSeconds: q.backoff_seconds, maxBackoffSeconds: q.max_backoff_seconds,
    leaseSeconds: q.lease_seconds, rateLimit: q.rate_limit, concurrency: q.concurrency, pushUrl: q.push_url,
    pushTimeoutSeconds: q.push_timeout_seconds, pushSecret: q.push_secret, allowTaskPushUrl: q.allow_task_push_url === 1,
  };
}

export function toSchedule(r: ScheduleRow): ScheduleRecord {
  return {
    name: r.name, cron: r.cron, timezone: r.timezone, event: JSON.parse(r.event), paused: r.paused === 1,
    createdAtMs: r.created_at_ms, updatedAtMs: r.updated_at_ms, lastTickMs: r.last_tick_ms,
    lastFiredAtMs: r.last_fired_at_ms, lastEventId: r.last_event_id, lastMissedTicks: r.last_missed_ticks,
  };
}

export function rateOf(q: QueueRow): { tokens: number; atMs: number } | null {
  return q.rate_tokens === null || q.rate_refilled_at_ms === null ? null : { tokens: q.rate_tokens, atMs: q.rate_refilled_at_ms };
}

export function toWorker(w: WorkerRow, tasks: string[]): WorkerRecord {
  return { workerId: w.worker_id, name: w.name, queues: JSON.parse(w.queues), registeredAtMs: w.registered_at_ms, lastSeenAtMs: w.last_seen_at_ms, tasksDone: w.tasks_done, tasks };
}

export const entry = (e: HistoryEntry) => JSON.stringify(e);

/** A newest-first page (limit rows from offset) as the same rows counted from the oldest end, for a
 *  page in the older half: an OFFSET walks every row it skips, so that end is the shorter walk.
 *  null: the page is nearer the newest end. The rows come oldest first: reverse them. */
export function fromOldestEnd(total: number, limit: number, offset: number): { limit: number; offset: number } | null {
  if (offset * 2 <= total) return null;
  const from = Math.max(0, total - offset - limit);
  return { limit: Math.max(0, total - offset - from), offset: from };
}
/** LIKE pattern for "contains", with the user's % and _ taken literally. */
export const containsPattern = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
