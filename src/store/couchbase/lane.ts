// A lane: a queue's waiting tasks in one order, stored as a chain of bounded segment documents so
// that no document grows with the backlog. The queue document keeps only the chain (each segment's
// id, first entry and size); a segment splits when it passes SEGMENT_MAX entries and goes away when
// empty. A claim reads the first segment, a publish usually the last one: neither depends on how
// many tasks wait. The I/O is passed in, so tests run it over a Map.
import { claimOrder } from '../../lifecycle/claims.js';

/** One waiting task, compact. */
export interface WaitEntry {
  id: string;
  /** priority (higher first), due time, arrival sequence. */
  p: number; r: number; s: number;
  st: 'scheduled' | 'ready';
  /** scope 'all': the one worker this copy is for. */
  w: string | null;
  /** uniqueKey, when singularlyEnqueue/singularlyRun may consult it. */
  k: string | null;
  sr: boolean;
}

export interface SegmentRef { id: number; first: WaitEntry; n: number }
export interface Segment { entries: WaitEntry[] }

export interface SegmentIO {
  get(id: number): Promise<Segment | null>;
  put(id: number, seg: Segment): void;
  remove(id: number): void;
  /** A fresh segment id (from the queue document's counter). */
  newId(): number;
}

export const SEGMENT_MAX = 256;

export type Order = (a: WaitEntry, b: WaitEntry) => number;

/** Ready lane: claim order (lifecycle/claims). */
export const readyOrder: Order = (a, b) => claimOrder({ priority: a.p, runAtMs: a.r, seq: a.s }, { priority: b.p, runAtMs: b.r, seq: b.s });
/** Scheduled lane: due time, then arrival. */
export const dueOrder: Order = (a, b) => a.r - b.r || a.s - b.s;

export class Lane {
  constructor(private readonly refs: SegmentRef[], private readonly order: Order, private readonly io: SegmentIO) {}

  get size(): number { return this.refs.reduce((n, r) => n + r.n, 0); }
  get first(): WaitEntry | null { return this.refs[0]?.first ?? null; }

  private async load(ref: SegmentRef): Promise<Segment> {
    return (await this.io.get(ref.id)) ?? { entries: [] };
  }

  private save(i: number, seg: Segment): void {
    const ref = this.refs[i]!;
    if (seg.entries.length === 0) {
      this.io.remove(ref.id);
      this.refs.splice(i, 1);
      return;
    }
    if (seg.entries.length > SEGMENT_MAX) {
      // Split in two halves; the second becomes a new segment right after this one.
      const half = seg.entries.length >>> 1;
      const tail: Segment = { entries: seg.entries.slice(half) };
      seg.entries = seg.entries.slice(0, half);
      const id = this.io.newId();
      this.io.put(id, tail);
      this.refs.splice(i + 1, 0, { id, first: tail.entries[0]!, n: tail.entries.length });
    }
    ref.first = seg.entries[0]!;
    ref.n = seg.entries.length;
    this.io.put(ref.id, seg);
  }

  async insert(e: WaitEntry): Promise<void> {
    if (this.refs.length === 0) {
      const id = this.io.newId();
      this.refs.push({ id, first: e, n: 1 });
      this.io.put(id, { entries: [e] });
      return;
    }
    // The last segment whose first entry does not come after e (or the first segment).
    let i = this.refs.length - 1;
    while (i > 0 && this.order(this.refs[i]!.first, e) > 0) i--;
    const seg = await this.load(this.refs[i]!);
    let lo = 0; let hi = seg.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.order(seg.entries[mid]!, e) <= 0) lo = mid + 1; else hi = mid;
    }
    seg.entries.splice(lo, 0, e);
    this.save(i, seg);
  }

  /** Removes the entries with these ids, scanning from the front; returns those found. */
  async remove(ids: Iterable<string>): Promise<WaitEntry[]> {
    const wanted = new Set(ids);
    const found: WaitEntry[] = [];
    for (let i = 0; i < this.refs.length && wanted.size > 0;) {
      const seg = await this.load(this.refs[i]!);
      const before = seg.entries.length;
      seg.entries = seg.entries.filter((x) => {
        if (!wanted.has(x.id)) return true;
        wanted.delete(x.id); found.push(x); return false;
      });
      if (seg.entries.length === before) { i++; continue; }
      const count = this.refs.length;
      this.save(i, seg);
      if (this.refs.length === count) i++;
    }
    return found;
  }

  /** Every entry in lane order, segment by segment, until visit returns false. */
  async scan(visit: (e: WaitEntry) => boolean | void): Promise<void> {
    for (const ref of [...this.refs]) {
      const seg = await this.load(ref);
      for (const e of seg.entries) if (visit(e) === false) return;
    }
  }

  /** Removes every entry; returns them. */
  async clear(): Promise<WaitEntry[]> {
    const all: WaitEntry[] = [];
    for (const ref of this.refs) {
      all.push(...(await this.load(ref)).entries);
      this.io.remove(ref.id);
    }
    this.refs.length = 0;
    return all;
  }
}
