// A lane: a queue's tasks in one order (its waiting tasks, its failed ones), stored as a chain of
// bounded segment documents so that no document grows with the list. The queue document keeps only
// the chain (each segment's id, first entry and size); a segment splits when it passes its bound and
// goes away when empty. A claim reads the first segment, a publish or a failure usually the last one:
// neither depends on how many tasks wait. The I/O is passed in, so tests run it over a Map.
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

/** One failed task: when it failed. The failed lane is oldest first, so the newest is at its end. */
export interface FailedEntry { id: string; at: number }

export interface SegmentRef<E = WaitEntry> { id: number; first: E; n: number }
export interface Segment<E = WaitEntry> { entries: E[] }

export interface SegmentIO<E = WaitEntry> {
  get(id: number): Promise<Segment<E> | null>;
  put(id: number, seg: Segment<E>): void;
  remove(id: number): void;
  /** A fresh segment id (from the queue document's counter). */
  newId(): number;
}

export const SEGMENT_MAX = 256;
/** Failed entries are small and read newest first a page at a time: fewer, larger segments keep the
 *  queue document's chain short (a million failed tasks is about a thousand references). */
export const FAILED_SEGMENT_MAX = 1024;

export type Order<E = WaitEntry> = (a: E, b: E) => number;

/** Ready lane: claim order (lifecycle/claims). */
export const readyOrder: Order = (a, b) => claimOrder({ priority: a.p, runAtMs: a.r, seq: a.s }, { priority: b.p, runAtMs: b.r, seq: b.s });
/** Scheduled lane: due time, then arrival. */
export const dueOrder: Order = (a, b) => a.r - b.r || a.s - b.s;
/** Failed lane: time failed, then id (so every entry has one place). */
export const failedOrder: Order<FailedEntry> = (a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class Lane<E extends { id: string } = WaitEntry> {
  constructor(private readonly refs: SegmentRef<E>[], private readonly order: Order<E>, private readonly io: SegmentIO<E>,
    private readonly segmentMax = SEGMENT_MAX) {}

  get size(): number { return this.refs.reduce((n, r) => n + r.n, 0); }
  get first(): E | null { return this.refs[0]?.first ?? null; }

  private async load(ref: SegmentRef<E>): Promise<Segment<E>> {
    return (await this.io.get(ref.id)) ?? { entries: [] };
  }

  /** The segment where e belongs: the last whose first entry does not come after e (or the first). */
  private segmentFor(e: E): number {
    let lo = 0; let hi = this.refs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.order(this.refs[mid]!.first, e) <= 0) lo = mid + 1; else hi = mid;
    }
    return Math.max(0, lo - 1);
  }

  private save(i: number, seg: Segment<E>): void {
    const ref = this.refs[i]!;
    if (seg.entries.length === 0) {
      this.io.remove(ref.id);
      this.refs.splice(i, 1);
      return;
    }
    if (seg.entries.length > this.segmentMax) {
      // Split in two halves; the second becomes a new segment right after this one.
      const half = seg.entries.length >>> 1;
      const tail: Segment<E> = { entries: seg.entries.slice(half) };
      seg.entries = seg.entries.slice(0, half);
      const id = this.io.newId();
      this.io.put(id, tail);
      this.refs.splice(i + 1, 0, { id, first: tail.entries[0]!, n: tail.entries.length });
    }
    ref.first = seg.entries[0]!;
    ref.n = seg.entries.length;
    this.io.put(ref.id, seg);
  }

  async insert(e: E): Promise<void> {
    if (this.refs.length === 0) {
      const id = this.io.newId();
      this.refs.push({ id, first: e, n: 1 });
      this.io.put(id, { entries: [e] });
      return;
    }
    const i = this.segmentFor(e);
    const seg = await this.load(this.refs[i]!);
    let lo = 0; let hi = seg.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.order(seg.entries[mid]!, e) <= 0) lo = mid + 1; else hi = mid;
    }
    seg.entries.splice(lo, 0, e);
    this.save(i, seg);
  }

  /** Removes the entry with e's id where e belongs in the order, reading one segment; when it is not
   *  there (e's place was a guess), scans like remove. Returns whether it was found. */
  async removeAt(e: E): Promise<boolean> {
    if (this.refs.length === 0) return false;
    const i = this.segmentFor(e);
    const seg = await this.load(this.refs[i]!);
    const at = seg.entries.findIndex((x) => x.id === e.id);
    if (at < 0) return (await this.remove([e.id])).length > 0;
    seg.entries.splice(at, 1);
    this.save(i, seg);
    return true;
  }

  /** Fills an empty lane with entries already in its order, segments half full (room to insert). */
  fill(sorted: E[]): void {
    const per = Math.max(1, this.segmentMax >>> 1);
    for (let i = 0; i < sorted.length; i += per) {
      const entries = sorted.slice(i, i + per);
      const id = this.io.newId();
      this.io.put(id, { entries });
      this.refs.push({ id, first: entries[0]!, n: entries.length });
    }
  }

  /** Removes the entries with these ids, scanning from the front; returns those found. */
  async remove(ids: Iterable<string>): Promise<E[]> {
    const wanted = new Set(ids);
    const found: E[] = [];
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
  async scan(visit: (e: E) => boolean | void): Promise<void> {
    for (const ref of [...this.refs]) {
      const seg = await this.load(ref);
      for (const e of seg.entries) if (visit(e) === false) return;
    }
  }

  /** The last `count` entries, last first, reading segments from the end a few at a time. */
  async newest(count: number): Promise<E[]> {
    const out: E[] = [];
    for (let end = this.refs.length; end > 0 && out.length < count;) {
      // Enough segments to fill the rest by their sizes, at most 8 reads at once.
      let start = end; let n = 0;
      while (start > 0 && n < count - out.length && end - start < 8) n += this.refs[--start]!.n;
      const segs = await Promise.all(this.refs.slice(start, end).map((r) => this.load(r)));
      for (const seg of segs.reverse()) for (let j = seg.entries.length - 1; j >= 0 && out.length < count; j--) out.push(seg.entries[j]!);
      end = start;
    }
    return out;
  }

  /** Removes every entry; returns them. */
  async clear(): Promise<E[]> {
    const all: E[] = [];
    for (const ref of this.refs) {
      all.push(...(await this.load(ref)).entries);
      this.io.remove(ref.id);
    }
    this.refs.length = 0;
    return all;
  }
}
