// How a task looks as a beanstalkd job, and a job as a task: decided once here for every command.
import type { TaskRecord, TaskState } from '../model.js';

/** beanstalkd's most urgent priority is 0; Switchyard's most urgent is the highest. A job's pri p
 *  is priority -p, so 0 (the most urgent) is a published task's default; pri over 1,000,000 rank
 *  with 1,000,000 (Switchyard's lowest). */
export const MAX_MAPPED_PRI = 1_000_000;
export const priorityOfPri = (pri: number): number => -Math.min(pri, MAX_MAPPED_PRI);
export const priOfPriority = (priority: number): number => (priority >= 0 ? 0 : -priority);

/** A job's body as a task's data: text as {body}, other bytes as {bodyBase64}; both come back as the
 *  same bytes. Any other data (a task published over HTTP) is its JSON. */
export function dataOfBody(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8');
  return Buffer.byteLength(text) === body.length && Buffer.from(text, 'utf8').equals(body) ? { body: text } : { bodyBase64: body.toString('base64') };
}

export function bodyOfData(data: Record<string, unknown>): Buffer {
  const keys = Object.keys(data);
  if (keys.length === 1 && typeof data.body === 'string') return Buffer.from(data.body, 'utf8');
  if (keys.length === 1 && typeof data.bodyBase64 === 'string') return Buffer.from(data.bodyBase64, 'base64');
  return Buffer.from(JSON.stringify(data), 'utf8');
}

export type JobState = 'ready' | 'delayed' | 'reserved' | 'buried';

/** A task's state as a job's; null: finished (succeeded, cancelled), which beanstalkd has deleted. */
export function jobStateOf(state: TaskState): JobState | null {
  switch (state) {
    case 'scheduled': return 'delayed';
    case 'ready': return 'ready';
    case 'started': return 'reserved';
    case 'failed': return 'buried';
    default: return null;
  }
}

const count = (t: TaskRecord, what: (e: TaskRecord['history'][number]) => boolean) => t.history.filter(what).length;

/** stats-job's fields, from the task and its history. */
export function jobStats(t: TaskRecord, jobId: number, ttrSeconds: number, nowMs: number): Record<string, string | number> {
  const state = jobStateOf(t.state)!;
  const secondsTo = (ms: number | null) => Math.max(0, Math.floor(((ms ?? nowMs) - nowMs) / 1000));
  const timeLeft = state === 'reserved' ? secondsTo(t.leaseExpiresAtMs) : state === 'delayed' ? secondsTo(t.runAtMs) : 0;
  return {
    id: jobId, tube: t.queue, state, pri: priOfPriority(t.priority), age: Math.floor((nowMs - t.createdAtMs) / 1000),
    delay: Math.max(0, Math.round((t.runAtMs - t.createdAtMs) / 1000)), ttr: ttrSeconds, 'time-left': timeLeft, file: 0,
    reserves: count(t, (e) => e.what === 'started'), timeouts: count(t, (e) => e.what === 'lease-expired'),
    releases: count(t, (e) => e.what === 'failed' && e.reason === RELEASED), buries: count(t, (e) => e.what === 'failed' && e.reason === BURIED),
    kicks: count(t, (e) => e.what === 'retried'),
  };
}

/** The fail reasons a release and a bury leave in a task's history (and stats-job counts). */
export const RELEASED = 'released (beanstalkd)';
export const BURIED = 'buried (beanstalkd)';
