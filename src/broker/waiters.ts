// Long polls: a waiting GET /task sleeps here until a publish on this node names one of its queues,
// or the shared tick (for publishes on other nodes and tasks coming due) wakes every waiter.
export const CROSS_NODE_POLL_MS = 250;

interface Waiter { queues: ReadonlySet<string>; wake: () => void }

export class Waiters {
  private readonly waiting = new Set<Waiter>();
  private tick: NodeJS.Timeout | null = null;
  private closed = false;

  /** Resolves on a wake-up or at deadlineMs, whichever comes first; at once when closed. */
  wait(queues: readonly string[], deadlineMs: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => w.wake(), Math.max(0, deadlineMs - Date.now()));
      const w: Waiter = {
        queues: new Set(queues),
        wake: () => { clearTimeout(timer); this.waiting.delete(w); this.stopTickIfIdle(); resolve(); },
      };
      this.waiting.add(w);
      // One shared timer for all waiters, only while there are any.
      this.tick ??= setInterval(() => this.wakeAll(), CROSS_NODE_POLL_MS);
    });
  }

  notify(queues: Iterable<string>): void {
    const names = new Set(queues);
    for (const w of [...this.waiting]) {
      for (const q of w.queues) if (names.has(q)) { w.wake(); break; }
    }
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
    for (const w of [...this.waiting]) w.wake();
  }

  private stopTickIfIdle(): void {
    if (this.waiting.size === 0 && this.tick) { clearInterval(this.tick); this.tick = null; }
  }
}
