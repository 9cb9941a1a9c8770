// Which copies of a published event each queue gets, decided once for both stores.
export interface CopyPlanInput {
  scope: 'any' | 'all';
  singularlyEnqueue: boolean;
  uniqueKey: string | null;
}

/** A queue's copies of one event: none when singularlyEnqueue finds a task with the same key already
 *  waiting there; with scope all, one per worker registered on the queue (in worker-id order, so both
 *  stores answer alike) or one for anyone when none is; otherwise one for any worker.
 *  targets: the worker each copy is for, null for any. */
export function planCopies(ev: CopyPlanInput, queue: { keyWaiting: () => boolean; workers: () => readonly string[] }):
  { deduplicated: true } | { deduplicated: false; targets: (string | null)[] } {
  if (ev.singularlyEnqueue && ev.uniqueKey !== null && queue.keyWaiting()) return { deduplicated: true };
  const workers = ev.scope === 'all' ? [...queue.workers()].sort() : [];
  return { deduplicated: false, targets: workers.length ? workers : [null] };
}

/** The first history entry of a published copy. */
export const createdEntry = (publisher: string, origin: Record<string, unknown> | undefined, nowMs: number) =>
  ({ atMs: nowMs, what: 'created', publisher, ...(origin ? { origin } : {}) });

/** The first history entry of a reEnqueue copy: it names the task it carries on. */
export const reEnqueuedEntry = (publisher: string, fromTaskId: string, nowMs: number) =>
  ({ atMs: nowMs, what: 'created', publisher, reEnqueuedFrom: fromTaskId });

/** Payloads at least this long (serialized) are stored once per event when the event makes several
 *  copies: fan-out then costs a reference a copy, not the payload again (one 900 KB event to 100
 *  queues stored 146 MB). Smaller ones are copied: a reference would cost a read at every claim. */
export const SHARED_PAYLOAD_MIN_LENGTH = 256;

/** Whether an event's copies share one stored payload (its length is measured only when there are several). */
export const sharesPayload = (copies: number, payloadLength: () => number) => copies > 1 && payloadLength() >= SHARED_PAYLOAD_MIN_LENGTH;
