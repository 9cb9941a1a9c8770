// A queue's limits, the same rules for every store and for status: a token bucket one second deep
// (rateLimit tasks a second) and a cap on tasks started at once (concurrency).
export interface RateBucket { tokens: number; atMs: number }

/** Tokens in the bucket at nowMs: what was left at the last start, refilled at rate a second, capped. */
export function tokensAt(rate: number, last: RateBucket | null, nowMs: number): number {
  if (!last) return rate;
  return Math.min(rate, last.tokens + (Math.max(0, nowMs - last.atMs) * rate) / 1000);
}

/** What the limits look at: the policy, how many tasks are started now, the bucket as last left. */
export interface LimitState {
  policy: { paused: boolean; concurrency: number | null; rateLimit: number | null };
  started: number;
  rate: RateBucket | null;
}

/** How many of `wanted` tasks the queue may start now, and the tokens in its bucket (Infinity: no rate). */
export function roomToStart(q: LimitState, wanted: number, nowMs: number): { room: number; tokens: number } {
  if (q.policy.paused) return { room: 0, tokens: 0 };
  let room = wanted;
  if (q.policy.concurrency !== null) room = Math.min(room, q.policy.concurrency - q.started);
  let tokens = Infinity;
  if (q.policy.rateLimit !== null) {
    tokens = tokensAt(q.policy.rateLimit, q.rate, nowMs);
    room = Math.min(room, Math.floor(tokens));
  }
  return { room: Math.max(0, room), tokens };
}

/** Why a queue hands out nothing now, if it is held: paused, at its concurrency, or out of tokens. */
export function heldBy(q: LimitState, nowMs: number): 'paused' | 'concurrency' | 'rateLimit' | null {
  if (q.policy.paused) return 'paused';
  if (q.policy.concurrency !== null && q.started >= q.policy.concurrency) return 'concurrency';
  if (q.policy.rateLimit !== null && tokensAt(q.policy.rateLimit, q.rate, nowMs) < 1) return 'rateLimit';
  return null;
}

/** Why one waiting task is not being handed out, as /status?task= says it (null: nothing holds it;
 *  it goes to the next worker that asks, after the tasks ahead of it). */
export type TaskHold = 'runAt' | 'paused' | 'concurrency' | 'rateLimit' | 'worker' | 'workerGone' | 'singularlyRun' | 'noWorker';

export interface TaskWaitState {
  task: { state: string; runAtMs: number; queue: string; targetWorkerId: string | null; singularlyRun: boolean };
  /** The task's queue: its limits, whether it is pushed, and the workers serving it now. */
  queue: LimitState & { pushed: boolean; workerIds: readonly string[] };
  /** A task with the same uniqueKey is started in the queue now. */
  keyStarted: boolean;
}

/** Whether the broker pushes a queue's tasks (pusher.ts): it has a pushUrl, or its tasks may bring
 *  their own (a task with neither fails, naming why). */
export const isPushed = (policy: { pushUrl: string | null; allowTaskPushUrl: boolean }) => policy.pushUrl !== null || policy.allowTaskPushUrl;

/** Where one push goes: the task's own URL when its queue allows one, else the queue's; null: nowhere. */
export const pushTarget = (policy: { pushUrl: string | null; allowTaskPushUrl: boolean }, task: { pushUrl: string | null }) =>
  (policy.allowTaskPushUrl && task.pushUrl !== null ? task.pushUrl : policy.pushUrl);

export function taskHeldBy(s: TaskWaitState, nowMs: number): TaskHold | null {
  const { task, queue } = s;
  if (task.state !== 'ready' && task.state !== 'scheduled') return null;
  if (task.state === 'scheduled' && task.runAtMs > nowMs) return 'runAt';
  const held = heldBy(queue, nowMs);
  if (held) return held;
  if (task.targetWorkerId !== null) return queue.workerIds.includes(task.targetWorkerId) ? 'worker' : 'workerGone';
  if (task.singularlyRun && s.keyStarted) return 'singularlyRun';
  if (queue.workerIds.length === 0 && !queue.pushed) return 'noWorker';
  return null;
}
