// What a worker process holds per queue, and so how many tasks its next claim asks for: free slots
// (concurrency minus running) plus a prefetch, claimed tasks that wait here for a slot. Without a
// prefetch a busy worker idles for a round trip each time its slots free; with one, the next tasks
// are already here. The prefetch sizes itself to what the queue's handlers get through in a few
// round trips (none while that is under one task), unless the user fixed it.
import type { Task } from './types.js';

export interface QueueSpec { name: string; concurrency?: number; prefetch?: number }

/** A claimed task, waiting for a slot or being handled, and the worker id that claimed it. Its
 *  AbortController is made when first needed (a handler reading its signal, or an abort): one per task
 *  was a tenth of a fast worker's time. */
export interface Held { task: Task; workerId: string; controller?: AbortController; lostLease?: true; leaseTimer?: NodeJS.Timeout; started?: true; done?: true }

export const controllerOf = (h: Held): AbortController => (h.controller ??= new AbortController());

export interface QueueSlots {
  name: string; concurrency: number; fixedPrefetch: number | null;
  running: number; waiting: Held[];
  /** A handler's time, smoothed (ms); null until one has ended. */
  handlerMs: number | null;
}

/** A claim asked for and not yet answered: its count is held back from the next claims. */
export interface Ask { count: number; queues: string }

/** A long poll claims at most this many (the broker's limit for GET /task). */
const MAX_CLAIM = 100;
/** A claim riding on a report batch: larger (the broker takes up to 1,000), so a fast queue's
 *  pipeline needs fewer commits. */
export const MAX_RIDING_CLAIM = 500;
/** Auto prefetch: what the queue's handlers get through in this many report round trips (two
 *  batches travel at once, and one more covers the jitter of a busy machine; measured best of 2, 3,
 *  4 and 6)... */
const ROUND_TRIPS_AHEAD = 3;
/** ...but never more than this many held here. */
const MAX_AUTO_PREFETCH = 500;

export class Slots {
  readonly queues: QueueSlots[];
  private readonly byName = new Map<string, QueueSlots>();
  private asked = 0;
  /** Smoothed round trip of a report, in ms (reports never wait for work, so it is the broker's pace). */
  private roundTripMs: number | null = null;

  constructor(specs: (string | QueueSpec)[], prefetch?: number) {
    this.queues = specs.map((s) => {
      const { name, concurrency = 1, prefetch: own } = typeof s === 'string' ? { name: s } : s;
      const fixed = own ?? prefetch;
      return { name, concurrency: Math.max(1, concurrency), fixedPrefetch: fixed === undefined ? null : Math.max(0, fixed),
        running: 0, waiting: [], handlerMs: null };
    });
    for (const q of this.queues) this.byName.set(q.name, q);
  }

  get(name: string): QueueSlots | undefined { return this.byName.get(name); }

  /** The next claim, with its count held back until answered(); null when no queue has room. */
  ask(max = MAX_CLAIM): Ask | null {
    const room = (q: QueueSlots) => q.concurrency + this.prefetch(q) - q.running - q.waiting.length;
    const open = this.queues.filter((q) => room(q) > 0);
    // As many as the tightest queue with room can take (the broker may fill them all from any one
    // of them), less what claims in flight may still bring.
    const count = Math.min(max, Math.min(...open.map(room)) - this.asked);
    if (!open.length || count <= 0) return null;
    this.asked += count;
    return { count, queues: open.map((q) => q.name).join(',') };
  }

  /** A claim's answer: its tasks wait for a slot in their queue (startable() hands them out). */
  answered(ask: Ask, held: Held[]): void {
    this.asked -= ask.count;
    for (const h of held) this.byName.get(h.task.queue)?.waiting.push(h);
  }

  /** The next waiting task of a queue that has a free slot, counted as running. */
  startable(q: QueueSlots): Held | undefined {
    if (q.running >= q.concurrency || !q.waiting.length) return undefined;
    q.running++;
    return q.waiting.shift();
  }

  /** A handler ended after ms (an abandoned one: null, it says nothing of the queue's pace). */
  ended(q: QueueSlots, ms: number | null): void {
    q.running--;
    if (ms !== null) q.handlerMs = q.handlerMs === null ? ms : q.handlerMs * 0.9 + ms * 0.1;
  }

  roundTrip(ms: number): void { this.roundTripMs = this.roundTripMs === null ? ms : this.roundTripMs * 0.8 + ms * 0.2; }

  /** What the queue's slots can get through in a few round trips: from the handlers' time, not
   *  from the tasks done lately, which a short prefetch would itself hold down. */
  private prefetch(q: QueueSlots): number {
    if (q.fixedPrefetch !== null) return q.fixedPrefetch;
    // Until both are known: as many as the queue's concurrency.
    if (q.handlerMs === null || this.roundTripMs === null) return q.concurrency;
    const perMs = q.concurrency / Math.max(q.handlerMs, 0.001);
    return Math.min(MAX_AUTO_PREFETCH, Math.floor(ROUND_TRIPS_AHEAD * perMs * this.roundTripMs));
  }

  /** Tasks waiting here for a slot, per queue. */
  waitingCounts(): Map<string, number> { return new Map(this.queues.map((q) => [q.name, q.waiting.length])); }
  runningCounts(): Map<string, number> { return new Map(this.queues.map((q) => [q.name, q.running])); }
  /** Takes every waiting task out (stop; a worker the broker removed). */
  drainWaiting(): Held[] { return this.queues.flatMap((q) => q.waiting.splice(0)); }
  forget(h: Held): void { const q = this.byName.get(h.task.queue); if (q) q.waiting = q.waiting.filter((w) => w !== h); }
}
