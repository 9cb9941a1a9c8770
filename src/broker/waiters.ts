// Long polls: a waiting GET /task sleeps here until a publish on this node makes a task ready in one
// of its queues, or the shared tick (for publishes on other nodes and tasks coming due) finds one.
export const CROSS_NODE_POLL_MS = 250;
const REMEMBERED_QUEUES = 4096;

interface Waiter { queues: ReadonlySet<string>; wake: () => void }

export class Waiters {
  private readonly waiting = new Set<Waiter>();
  /** The same waiters by queue, longest waiting first: a publish looks only at its queues' waiters
   *  (a walk over all of them made 3,000 idle long polls on other queues cost each publish). */
  private readonly byQueue = new Map<string, Set<Waiter>>();
  /** Counts notifications, so a claim can ask "did anything arrive since I looked?" (see mark()). */
  private seq = 0;
  /** The last notification of each queue, in two generations: when the newer holds
   *  REMEMBERED_QUEUES names the older is dropped, so names of queues long gone (beanstalkd tubes,
   *  deleted queues) do not pile up. A mark from before what was dropped counts as notified. */
  private notifiedAt = new Map<string, number>();
  private notifiedBefore = new Map<string, number>();
  private generationStart = 0;
  private forgottenUpTo = 0;
  private allNotifiedAt = 0;
  private tick: NodeJS.Timeout | null = null;
  private closed = false;

  private probing = false;

  /** pollMs: the shared tick (tests lengthen it to prove a wake-up came from a publish, not the tick).
   *  readyIn: how many tasks are ready in each queue (the store's counts); with it, a tick wakes only
   *  as many waiters of a queue as it has ready tasks. Without it every waiter claims on every tick:
   *  3,000 idle long polls cost 12,000 claims a second, and a fifth of a core. */
  constructor(private readonly pollMs = CROSS_NODE_POLL_MS, private readonly readyIn?: (queues: readonly string[]) => Promise<Map<string, number>>) {}

  /** Taken before a claim looks at the store: a publish that lands between that look and wait()
   *  would otherwise wake nobody, and the claim would sleep until the next tick. */
  mark(): number {
    return this.seq;
  }

  /** Resolves on a wake-up or at deadlineMs, whichever comes first; at once when closed, or when one
   *  of the queues was notified after `since` (a mark()). */
  wait(queues: readonly string[], deadlineMs: number, since = Infinity, signal?: AbortSignal): Promise<void> {
    if (this.closed || signal?.aborted) return Promise.resolve();
    if (this.allNotifiedAt > since || this.forgottenUpTo > since || queues.some((q) => this.lastNotified(q) > since)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => w.wake(), Math.max(0, deadlineMs - Date.now()));
      const w: Waiter = {
        queues: new Set(queues),
        wake: () => {
          clearTimeout(timer); signal?.removeEventListener('abort', w.wake);
          this.waiting.delete(w);
          for (const q of w.queues) { const of = this.byQueue.get(q); of?.delete(w); if (of?.size === 0) this.byQueue.delete(q); }
          this.stopTickIfIdle(); resolve();
        },
      };
      // An aborted wait (the client hung up, or the worker polls again) ends now.
      signal?.addEventListener('abort', w.wake, { once: true });
      this.waiting.add(w);
      for (const q of w.queues) { let of = this.byQueue.get(q); if (!of) this.byQueue.set(q, (of = new Set())); of.add(w); }
      // One shared timer for all waiters, only while there are any.
      this.tick ??= setInterval(() => void this.onTick(), this.pollMs);
    });
  }

  notify(queues: Iterable<string>): void {
    const names = new Set(queues);
    this.seq++;
    for (const q of names) this.remember(q);
    for (const q of names) for (const w of [...(this.byQueue.get(q) ?? [])]) w.wake();
  }

  /** New ready tasks: wakes at most as many waiters of each queue as it got tasks, longest waiting
   *  first. Waking every waiter for one task had each idle worker run a claim (a write) to find
   *  nothing: with 16 workers, 16 claims a task. A woken claim that finds its task gone took some
   *  other; a task no woken claim took is found by the next tick (CROSS_NODE_POLL_MS). */
  offer(readyByQueue: ReadonlyMap<string, number>): void {
    this.seq++;
    for (const q of readyByQueue.keys()) this.remember(q);
    for (const [q, n] of readyByQueue) {
      let left = n;
      // A woken waiter leaves the set as it is walked: a Set's iterator skips what was deleted.
      for (const w of this.byQueue.get(q) ?? []) {
        if (left-- <= 0) break;
        w.wake();
      }
    }
  }

  private lastNotified(queue: string): number {
    return this.notifiedAt.get(queue) ?? this.notifiedBefore.get(queue) ?? 0;
  }

  private remember(queue: string): void {
    if (this.notifiedAt.size >= REMEMBERED_QUEUES && !this.notifiedAt.has(queue)) {
      // What the older generation held was notified no later than the newer one began.
      this.forgottenUpTo = this.generationStart;
      this.notifiedBefore = this.notifiedAt;
      this.notifiedAt = new Map();
      this.generationStart = this.seq;
    }
    this.notifiedAt.set(queue, this.seq);
  }

  /** Queue names whose last notification is remembered (bounded: 2 × REMEMBERED_QUEUES). */
  get remembered(): number { return this.notifiedAt.size + this.notifiedBefore.size; }

  private readonly pollOf = new Map<string, AbortController>();

  /** One long poll per worker on this node: a new one ends the one before (it answers no task).
   *  The returned signal also aborts with `also` (the client hanging up); call done() when finished. */
  beginPoll(workerId: string, also?: AbortSignal): { signal: AbortSignal; done: () => void } {
    this.pollOf.get(workerId)?.abort();
    const own = new AbortController();
    this.pollOf.set(workerId, own);
    const signal = also ? AbortSignal.any([own.signal, also]) : own.signal;
    return { signal, done: () => { if (this.pollOf.get(workerId) === own) this.pollOf.delete(workerId); } };
  }

  get size(): number { return this.waiting.size; }
  get isClosed(): boolean { return this.closed; }

  /** Shutdown: every long poll answers now, and no new one waits. */
  close(): void {
    this.closed = true;
    this.wakeAll();
  }

  /** Tasks came back to several queues at once (sweeps, removed workers): every waiter looks again. */
  wakeAll(): void {
    this.allNotifiedAt = ++this.seq;
    for (const w of [...this.waiting]) w.wake();
  }

  /** Publishes on other nodes and tasks come due are seen here: wake the waiters that could take one. */
  private async onTick(): Promise<void> {
    if (!this.readyIn) { this.wakeAll(); return; }
    if (this.probing) return;
    this.probing = true;
    try {
      const ready = await this.readyIn([...this.byQueue.keys()]);
      this.offer(new Map([...ready].filter(([, n]) => n > 0)));
    } catch {
      // The store did not answer: the claims will find out, and answer the clients.
      this.wakeAll();
    } finally {
      this.probing = false;
    }
  }

  private stopTickIfIdle(): void {
    if (this.waiting.size === 0 && this.tick) { clearInterval(this.tick); this.tick = null; }
  }
}
