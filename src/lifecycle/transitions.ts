// Task rules, decided once for both stores: what a fail, an expired lease, an operator's retry and a
// removed worker do to a task. Pure: each returns the change, and the drivers only apply it under
// their own guard (an UPDATE's WHERE clause, a transaction's CAS). Random draws come from the caller.
import { retryDelayMs, type BackoffPolicy } from './backoff.js';
import { FINISHED_STATES, type TaskState } from './states.js';

/** Stored fail reasons are capped: a worker may send a whole stack trace or a page of HTML. */
export const FAIL_REASON_MAX_CHARS = 2000;

export function capFailReason(reason: string | undefined): string {
  const s = reason ?? 'no reason given';
  return s.length > FAIL_REASON_MAX_CHARS ? `${s.slice(0, FAIL_REASON_MAX_CHARS)}…` : s;
}

/** A task's attempts against its limit: the event's override, else the queue's policy. */
export function attemptsSpent(task: { attempts: number; maxAttempts: number | null }, queueMaxAttempts: number): boolean {
  return task.attempts >= (task.maxAttempts ?? queueMaxAttempts);
}

/** Who may take a task that comes back to wait (a retry from the failed queue, an expired lease).
 *  A copy made for one worker (scope all) stays that worker's only while the worker is registered on
 *  the task's queue; otherwise nobody could ever take it, so it becomes a copy for any worker of the
 *  queue. workerQueues: the target's queues now, or null when it no longer exists. */
export function targetOnReturn(targetWorkerId: string | null, queue: string, workerQueues: readonly string[] | null):
  { targetWorkerId: string | null; released: boolean } {
  if (targetWorkerId === null) return { targetWorkerId: null, released: false };
  if (workerQueues?.includes(queue)) return { targetWorkerId, released: false };
  return { targetWorkerId: null, released: true };
}

/** Why a released copy changed hands: kept in the history entry of the move that released it. */
export const releasedReason = (workerId: string, queue: string, gone: boolean) =>
  gone ? `worker ${workerId} is gone: this copy is now for any worker of ${queue}`
    : `worker ${workerId} does not serve ${queue}: this copy is now for any worker of it`;

export interface FailPlan {
  to: Extract<TaskState, 'scheduled' | 'ready' | 'failed' | 'cancelled'>;
  runAtMs: number;
  /** Set when the task is closed (failed or cancelled); null while it waits for its retry. */
  finishedAtMs: number | null;
  /** A closed task keeps the worker that last ran it; a retry is for whoever asks. */
  keepWorker: boolean;
  reason: string;
  retryAtMs?: number;
}

/** A worker reported a fail: retry after the backoff while attempts are left, else the failed queue;
 *  or as the report says (retry: a beanstalkd release or bury).
 *  reEnqueue closes it as cancelled instead (a fresh copy carries the work on). draw: uniform [0, 1)
 *  for the jitter, drawn by the caller so stores never roll dice. */
export function planFail(
  task: { attempts: number; maxAttempts: number | null; runAtMs: number },
  policy: BackoffPolicy & { maxAttempts: number },
  input: { failReason?: string; reEnqueued: boolean; draw: number; jitter: number; retry?: { inMs: number } | 'never' },
  nowMs: number,
): FailPlan {
  const reason = capFailReason(input.failReason);
  if (input.reEnqueued) return { to: 'cancelled', runAtMs: task.runAtMs, finishedAtMs: nowMs, keepWorker: true, reason };
  if (input.retry === 'never' || (input.retry === undefined && attemptsSpent(task, policy.maxAttempts))) {
    return { to: 'failed', runAtMs: task.runAtMs, finishedAtMs: nowMs, keepWorker: true, reason };
  }
  if (input.retry !== undefined) {
    const runAtMs = nowMs + Math.max(0, input.retry.inMs);
    return { to: runAtMs > nowMs ? 'scheduled' : 'ready', runAtMs, finishedAtMs: null, keepWorker: false, reason, retryAtMs: runAtMs };
  }
  const runAtMs = nowMs + retryDelayMs(task.attempts, policy, () => input.draw, input.jitter);
  return { to: runAtMs > nowMs ? 'scheduled' : 'ready', runAtMs, finishedAtMs: null, keepWorker: false, reason, retryAtMs: runAtMs };
}

export interface ExpiryPlan {
  to: 'ready' | 'failed';
  reason: string;
  finishedAtMs: number | null;
}

/** A lease ran out (the worker crashed or hung): the task waits again, unless it has used all its
 *  attempts; a task that kills every worker it meets must not loop forever. */
export function planLeaseExpiry(task: { attempts: number; maxAttempts: number | null }, queueMaxAttempts: number, nowMs: number): ExpiryPlan {
  const spent = attemptsSpent(task, queueMaxAttempts);
  return { to: spent ? 'failed' : 'ready', reason: `lease expired (attempt ${task.attempts})`, finishedAtMs: spent ? nowMs : null };
}

/** The history entry of an operator's retry from the failed queue. */
export function retriedEntry(
  task: { queue: string; data: Record<string, unknown>; targetWorkerId: string | null },
  opts: { toQueue?: string; data?: Record<string, unknown> },
  target: { targetWorkerId: string | null; released: boolean },
  targetGone: boolean,
  nowMs: number,
) {
  const toQueue = opts.toQueue ?? task.queue;
  return {
    atMs: nowMs, what: 'retried', fromQueue: task.queue, toQueue, originalData: opts.data === undefined ? null : task.data,
    ...(target.released ? { released: releasedReason(task.targetWorkerId!, toQueue, targetGone) } : {}),
  };
}

/** What removing a worker does to a task it holds or that was made for it: a copy made for that
 *  worker (scope all) is cancelled, since every other worker has its own; any other task it had
 *  started goes back to ready for the next worker. */
export function planWorkerRemoval(task: { state: TaskState; targetWorkerId: string | null }, workerId: string): 'cancel' | 'return' | 'keep' {
  if (task.targetWorkerId === workerId && (task.state === 'scheduled' || task.state === 'ready' || task.state === 'started')) return 'cancel';
  if (task.state === 'started') return 'return';
  return 'keep';
}

/** The reason a removed worker's copy is cancelled with. */
export const removedCopyReason = (why: string) => `${why}: this copy was for that worker`;

/** Why a worker's report may not apply to a task, or null when it may: only the worker that has
 *  it started reports it; a finished task takes no more reports. The stores check the same guard in
 *  their own statement or CAS; this names the outcome when that guard refused. */
export function reportRefusal(task: { state: TaskState; workerId: string | null }, workerId: string): 'task_finished' | 'task_not_owned' | null {
  if (FINISHED_STATES.includes(task.state)) return 'task_finished';
  if (task.state !== 'started' || task.workerId !== workerId) return 'task_not_owned';
  return null;
}
