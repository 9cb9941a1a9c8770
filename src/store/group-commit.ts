// Group commit, shared by the stores: writes that arrive while a commit is under way (or in the same
// turn of the event loop) wait and go together into the next commit, and a store runs one commit at
// a time. Each write's promise settles only after its commit, with its own outcome.

export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class GroupCommit<W> {
  private pending: { write: W; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];
  private busy = false;

  /** commit: commits a batch and answers one outcome per write, in order; a throw fails them all.
   *  It may settle some writes early (settle(index, outcome)), when a part of the batch is done
   *  before the rest; the answer's outcomes for those are then ignored. alone: writes that take a
   *  commit of their own (in their turn), so that their failure is theirs. */
  constructor(private readonly commit: (batch: W[], settle: (index: number, outcome: Outcome) => void) => Outcome[] | Promise<Outcome[]>,
    private readonly maxBatch = Infinity, private readonly alone: (write: W) => boolean = () => false) {}

  add<T>(write: W): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ write, resolve: resolve as (v: unknown) => void, reject });
      if (!this.busy) { this.busy = true; setImmediate(() => void this.flush()); }
    });
  }

  /** Resolves once every write added so far is committed or failed (a store closing waits for it). */
  async drain(): Promise<void> {
    while (this.busy) await new Promise<void>((r) => setImmediate(r));
  }

  private async flush(): Promise<void> {
    const nextAlone = this.pending.findIndex((p, i) => i > 0 && this.alone(p.write));
    const size = this.alone(this.pending[0]!.write) ? 1 : nextAlone < 0 ? this.maxBatch : Math.min(nextAlone, this.maxBatch);
    const batch = this.pending.splice(0, size);
    // A promise settles once: a write answered early keeps that answer when the batch's comes.
    const settle = (i: number, o: Outcome) => { if (o.ok) batch[i]!.resolve(o.value); else batch[i]!.reject(o.error); };
    try {
      const outcomes = await this.commit(batch.map((b) => b.write), settle);
      batch.forEach((_, i) => settle(i, outcomes[i]!));
    } catch (e) {
      batch.forEach((_, i) => settle(i, { ok: false, error: e }));
    }
    if (this.pending.length) setImmediate(() => void this.flush());
    else this.busy = false;
  }
}
