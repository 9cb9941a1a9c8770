// Writes begun after their request was answered (audit entries, a token's last use): tracked so a
// stop can wait for them before it closes the store.
export class InFlight {
  private readonly pending = new Set<Promise<unknown>>();

  track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p)).catch(() => undefined);
    return p;
  }

  /** Resolves when every tracked write has ended, or after maxMs: a store already gone (closed
   *  under the broker) may never settle them. */
  async settle(maxMs: number): Promise<void> {
    let giveUp: NodeJS.Timeout | undefined;
    const late = new Promise<void>((r) => { giveUp = setTimeout(r, maxMs); });
    const all = (async () => { while (this.pending.size) await Promise.allSettled([...this.pending]); })();
    await Promise.race([all, late]);
    clearTimeout(giveUp);
  }
}
