// What routing leaves behind. An event log is a chain of chunk documents of CHUNK events each, and
// an index of the chunks (count, time span): appends touch the index and the last chunk, reads fetch
// the chunks in parallel, and trimming drops whole chunks from the front (so a log may hold up to a
// chunk more than it keeps). Match counts live in one document, merged by each node's flush.
import type { EventLogName, InterestMatchCount, LoggedEvent } from '../store.js';
import { CouchbaseArea } from './documents.js';
import type { Unit } from './unit.js';

const CHUNK = 100;
/** Chunks one transaction rewrites when removing events. */
const CHUNKS_PER_TRANSACTION = 20;

interface ChunkRef { id: number; n: number; lastAtMs: number }
interface LogIndex { next: number; chunks: ChunkRef[] }
interface Chunk { events: LoggedEvent[] }
interface MatchesDoc { m: Record<string, Record<string, [count: number, lastMatchMs: number]>> }

export class CouchbaseRoutingRecords extends CouchbaseArea {
  /** Every node appends to the same logs: alone, so that a race lost here fails no one's publish. */
  appendEvents(log: EventLogName, events: readonly LoggedEvent[], keep: { count: number; sinceMs: number }): Promise<void> {
    return this.c.transactAlone(async (u) => {
      const index = (await u.getForUpdate<LogIndex>(this.keys.eventLog(log))) ?? { next: 0, chunks: [] };
      let changed = false;
      for (let at = 0; at < events.length;) {
        let ref = index.chunks.at(-1);
        if (!ref || ref.n >= CHUNK) index.chunks.push(ref = { id: index.next++, n: 0, lastAtMs: 0 });
        const chunk = await u.getOrCreate<Chunk>(this.keys.eventLogChunk(log, ref.id), () => ({ events: [] }));
        const part = events.slice(at, at + CHUNK - ref.n);
        chunk.events.push(...part);
        u.put(this.keys.eventLogChunk(log, ref.id), chunk);
        ref.n += part.length;
        ref.lastAtMs = Math.max(ref.lastAtMs, ...part.map((e) => e.atMs));
        at += part.length;
        changed = true;
      }
      let total = index.chunks.reduce((n, c) => n + c.n, 0);
      while (index.chunks.length && (total - index.chunks[0]!.n >= keep.count || index.chunks[0]!.lastAtMs < keep.sinceMs)) {
        const gone = index.chunks.shift()!;
        await this.dropChunk(u, log, gone.id);
        total -= gone.n;
        changed = true;
      }
      if (changed) u.put(this.keys.eventLog(log), index);
    });
  }

  readEvents(log: EventLogName, sinceMs: number): Promise<LoggedEvent[]> {
    return this.guard(async () => {
      const index = await this.getDoc<LogIndex>(this.keys.eventLog(log));
      const chunks = index?.chunks.filter((c) => c.lastAtMs >= sinceMs) ?? [];
      const docs = await Promise.all(chunks.map((c) => this.getDoc<Chunk>(this.keys.eventLogChunk(log, c.id))));
      return docs.flatMap((d) => d?.events ?? []).filter((e) => e.atMs >= sinceMs).reverse();
    });
  }

  /** The log keeps no index by id here: the kept chunks are read and filtered. */
  async readEventsById(log: EventLogName, sinceMs: number, eventIds: readonly string[]): Promise<LoggedEvent[]> {
    const wanted = new Set(eventIds);
    return (await this.readEvents(log, sinceMs)).filter((e) => wanted.has(e.eventId));
  }

  /** Counts from the index; reads the chunks holding the page, and the oldest kept chunk, which
   *  alone may hold events before sinceMs (trimming drops whole chunks). */
  readEventsPage(log: EventLogName, sinceMs: number, limit: number, offset: number) {
    return this.guard(async () => {
      const index = await this.getDoc<LogIndex>(this.keys.eventLog(log));
      const chunks = index?.chunks.filter((c) => c.lastAtMs >= sinceMs) ?? [];
      const live = (events: LoggedEvent[] | undefined) => (events ?? []).filter((e) => e.atMs >= sinceMs);
      const oldest = chunks.length ? live((await this.getDoc<Chunk>(this.keys.eventLogChunk(log, chunks[0]!.id)))?.events) : [];
      const counts = chunks.map((c, i) => (i === 0 ? oldest.length : c.n));
      const total = counts.reduce((a, b) => a + b, 0);
      // Newest first: the chunks from the newest back, past `offset` events, until the page is full.
      const wanted: number[] = [];
      let skip = offset;
      let firstSkip = 0;
      for (let i = chunks.length - 1, need = limit; i >= 0 && need > 0; i--) {
        if (skip >= counts[i]!) { skip -= counts[i]!; continue; }
        if (!wanted.length) firstSkip = skip;
        wanted.push(i);
        need -= counts[i]! - skip;
        skip = 0;
      }
      const docs = await Promise.all(wanted.map(async (i) => (i === 0 ? oldest : live((await this.getDoc<Chunk>(this.keys.eventLogChunk(log, chunks[i]!.id)))?.events))));
      return { total, events: docs.flatMap((events) => [...events].reverse()).slice(firstSkip, firstSkip + limit) };
    });
  }

  countEvents(log: EventLogName): Promise<number> {
    return this.guard(async () => (await this.getDoc<LogIndex>(this.keys.eventLog(log)))?.chunks.reduce((n, c) => n + c.n, 0) ?? 0);
  }

  async removeEvents(log: EventLogName, eventIds: readonly string[]): Promise<string[]> {
    const wanted = new Set(eventIds);
    const index = await this.guard(() => this.getDoc<LogIndex>(this.keys.eventLog(log)));
    const ids = index?.chunks.map((c) => c.id) ?? [];
    const removed: string[] = [];
    for (let i = 0; i < ids.length && wanted.size; i += CHUNKS_PER_TRANSACTION) {
      const group = new Set(ids.slice(i, i + CHUNKS_PER_TRANSACTION));
      const gone = await this.transact(async (u) => {
        const idx = await u.getForUpdate<LogIndex>(this.keys.eventLog(log));
        const out: string[] = [];
        for (const ref of idx?.chunks.filter((c) => group.has(c.id)) ?? []) {
          const chunk = await u.get<Chunk>(this.keys.eventLogChunk(log, ref.id));
          const kept = chunk?.events.filter((e) => !wanted.has(e.eventId)) ?? [];
          if (!chunk || kept.length === chunk.events.length) continue;
          out.push(...chunk.events.filter((e) => wanted.has(e.eventId)).map((e) => e.eventId));
          ref.n = kept.length;
          u.put(this.keys.eventLogChunk(log, ref.id), { events: kept });
        }
        if (out.length) u.put(this.keys.eventLog(log), idx);
        return out;
      });
      for (const id of gone) { removed.push(id); wanted.delete(id); }
    }
    return removed;
  }

  addInterestMatches(counts: readonly InterestMatchCount[]): Promise<void> {
    if (!counts.length) return Promise.resolve();
    // Every node adds its counts to this one document each second: alone, so that a race lost here
    // fails none of the requests a batch carries (it did, a few times a minute on four nodes).
    return this.c.transactAlone(async (u) => {
      const doc = await u.getOrCreate<MatchesDoc>(this.keys.interestMatches(), () => ({ m: {} }));
      for (const { queue, interest, count, lastMatchMs } of counts) {
        const q = (doc.m[queue] ??= {});
        const [n, last] = q[interest] ?? [0, 0];
        q[interest] = [n + count, Math.max(last, lastMatchMs)];
      }
      u.put(this.keys.interestMatches(), doc);
    });
  }

  interestMatches(): Promise<InterestMatchCount[]> {
    return this.guard(async () => {
      const doc = await this.getDoc<MatchesDoc>(this.keys.interestMatches());
      return Object.entries(doc?.m ?? {}).flatMap(([queue, byInterest]) =>
        Object.entries(byInterest).map(([interest, [count, lastMatchMs]]) => ({ queue, interest, count, lastMatchMs })));
    });
  }

  private async dropChunk(u: Unit, log: string, id: number): Promise<void> {
    // A removal needs the document read in this attempt.
    if (await u.get(this.keys.eventLogChunk(log, id))) u.remove(this.keys.eventLogChunk(log, id));
  }
}
