// Document keys of the Couchbase store. Every key starts with the installation's prefix, so several
// Switchyard installations (or test runs) can share one bucket without seeing each other.
import { createHash } from 'node:crypto';

/** Couchbase keys are at most 250 bytes; long (or multi-byte) queue names are hashed instead. */
const MAX_NAME_BYTES = 120;

export function nameKeyPart(name: string): string {
  if (Buffer.byteLength(name) <= MAX_NAME_BYTES) return name;
  return `#${createHash('sha256').update(name).digest('hex')}`;
}

export const MINUTE_MS = 60_000;
export const minuteOf = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

export class Keys {
  constructor(readonly prefix: string) {}
  /** Interests revision and the set of known queue names. */
  meta() { return `${this.prefix}:meta`; }
  /** Policy, interests, counts, totals, waiting lane and started map of one queue: its head (shard 0);
   *  a shard above 0 holds the lanes, counts and started map of its own tasks (queue-doc.ts). */
  queue(name: string, shard = 0) { return shard ? `${this.prefix}:qs:${shard}:${nameKeyPart(name)}` : `${this.prefix}:q:${nameKeyPart(name)}`; }
  /** The document of a queue's head or shard. */
  queueOf(q: { name: string; shard?: number }) { return this.queue(q.name, q.shard ?? 0); }
  /** Changes of one queue's interests, oldest first (the latest INTEREST_HISTORY_KEPT). */
  interestHistory(name: string) { return `${this.prefix}:ih:${nameKeyPart(name)}`; }
  /** Failed tasks of one queue, newest last. */
  failed(name: string) { return `${this.prefix}:f:${nameKeyPart(name)}`; }
  /** Succeeded/cancelled tasks of one queue's shard that finished in one minute, for paging and pruning. */
  finished(name: string, minuteMs: number, shard = 0) {
    return shard ? `${this.prefix}:ds:${shard}:${minuteMs}:${nameKeyPart(name)}` : `${this.prefix}:d:${nameKeyPart(name)}:${minuteMs}`;
  }
  /** One segment of a queue's waiting lanes (see lane.ts). */
  segment(name: string, id: number) { return `${this.prefix}:l:${nameKeyPart(name)}:${id}`; }
  /** A publisher's idempotencyKey (hashed with the publisher) and the answer to replay. */
  idempotency(hash: string) { return `${this.prefix}:i:${hash}`; }
  task(taskId: string) { return `${this.prefix}:t:${taskId}`; }
  event(eventId: string) { return `${this.prefix}:e:${eventId}`; }
  worker(workerId: string) { return `${this.prefix}:w:${workerId}`; }
  /** The ids of every registered worker. */
  workers() { return `${this.prefix}:workers`; }
  /** Per-minute counts of every queue, one document a minute. */
  throughput(minuteMs: number) { return `${this.prefix}:tp:${minuteMs}`; }
  counter(name: string) { return `${this.prefix}:c:${name}`; }
  /** A beanstalkd job id's task, and a task's job id (made on first use, see tasks.ts). */
  job(jobId: number) { return `${this.prefix}:j:${jobId}`; }
  jobOfTask(taskId: string) { return `${this.prefix}:jt:${taskId}`; }
  /** One schedule, with the last tick it has handled. */
  schedule(name: string) { return `${this.prefix}:s:${nameKeyPart(name)}`; }
  /** The names of every schedule. */
  scheduleNames() { return `${this.prefix}:sn`; }
  /** Every schedule in one document, as installations before per-schedule documents kept them. */
  legacySchedules() { return `${this.prefix}:schedules`; }
  /** Every API token, by the hash of its secret. */
  tokens() { return `${this.prefix}:tokens`; }
  /** The days of the audit trail and how many entries each holds. */
  auditIndex() { return `${this.prefix}:audit`; }
  /** An event log (routing-records.ts): its chunks in order, and one chunk of its events. */
  eventLog(log: string) { return `${this.prefix}:lg:${log}`; }
  eventLogChunk(log: string, id: number) { return `${this.prefix}:lg:${log}:${id}`; }
  /** Every interest's match count and latest match. */
  interestMatches() { return `${this.prefix}:im`; }
  /** One day of the audit trail. */
  auditDay(dayMs: number) { return `${this.prefix}:a:${dayMs}`; }
}

