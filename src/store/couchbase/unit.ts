// One transaction attempt's working set: the documents it read, changed in memory and will write
// at its end, and what to do after it commits: throughput counts to add, expiries to set.
import { DocumentNotFoundError, type Collection, type TransactionAttemptContext, type TransactionGetResult } from 'couchbase';
import type { TotalsField } from './docs.js';

/** Writes staged at once: a batch's usual writes (its workers, tasks, queues, lanes) in one round. */
const STAGED_AT_ONCE = 64;

export class Unit {
  private readonly docs = new Map<string, { handle: TransactionGetResult | null; content: unknown; dirty: boolean }>();
  /** Per-minute throughput increments, applied after the commit (outside the transaction). */
  readonly throughput = new Map<string, number>();
  /** Documents to expire by themselves (key → seconds), set after the commit: a transaction's
   *  writes cannot carry an expiry in this SDK. */
  readonly expiries = new Map<string, number>();

  constructor(private readonly ctx: TransactionAttemptContext, private readonly coll: Collection) {}

  async get<T>(key: string): Promise<T | null> {
    const known = this.docs.get(key);
    if (known) return known.content as T | null;
    // Reads of one key that overlap share one fetch, so they share one object: two callers that
    // each fetched their own copy (queues created in parallel, each adding its name to meta) would
    // each write theirs, and the last write would lose the others' changes.
    let pending = this.reading.get(key);
    if (!pending) {
      pending = this.fetch(key).finally(() => this.reading.delete(key));
      this.reading.set(key, pending);
    }
    await pending;
    return this.docs.get(key)!.content as T | null;
  }

  private readonly reading = new Map<string, Promise<void>>();

  /** A document, or made with init and written at the end of the attempt when it does not exist.
   *  Callers that overlap get one object: each `(await get()) ?? {}` of theirs would have made its
   *  own, and the last one written would have lost the others' changes (queue names in meta). */
  async getOrCreate<T>(key: string, init: () => T): Promise<T> {
    await this.get<T>(key);
    const d = this.docs.get(key)!;
    if (d.content === null) this.docs.set(key, { ...d, content: init(), dirty: true });
    return this.docs.get(key)!.content as T;
  }

  private async fetch(key: string): Promise<void> {
    try {
      const handle = await this.ctx.get(this.coll, key);
      const put = this.docs.get(key);
      // A put made while the read was out keeps its content; the read gives it the handle to replace.
      this.docs.set(key, put?.dirty ? { ...put, handle } : { handle, content: handle.content, dirty: false });
    } catch (e) {
      if (!(e instanceof DocumentNotFoundError)) throw e;
      if (!this.docs.get(key)?.dirty) this.docs.set(key, { handle: null, content: null, dirty: false });
    }
  }

  /** Reads a document and stages it at once, unchanged: from here on this transaction owns it, and a
   *  racing node's transaction waits or re-runs at its first touch, instead of this one doing all
   *  its work and losing the race at the end. Used for the contended documents (queues). */
  async getForUpdate<T>(key: string): Promise<T | null> {
    const content = await this.get<T>(key);
    const d = this.docs.get(key)!;
    if (d.handle && !this.owned.has(key)) {
      this.owned.add(key);
      d.handle = await this.ctx.replace(d.handle, d.handle.content);
    }
    return content;
  }

  private readonly owned = new Set<string>();

  getMany<T>(keys: string[]): Promise<(T | null)[]> {
    return Promise.all(keys.map((k) => this.get<T>(k)));
  }

  /** Writes content at the end of the attempt: a replace when the document was read, else an insert. */
  put(key: string, content: unknown): void {
    const known = this.docs.get(key);
    this.docs.set(key, { handle: known?.handle ?? null, content, dirty: true });
  }

  /** Removes a document that was read in this attempt. */
  remove(key: string): void {
    const known = this.docs.get(key);
    if (known) this.docs.set(key, { ...known, content: null, dirty: true });
  }

  expireAfter(key: string, seconds: number): void {
    this.expiries.set(key, Math.max(1, Math.ceil(seconds)));
  }

  count(queue: string, minuteMs: number, field: TotalsField, by = 1): void {
    const k = `${minuteMs}\u0000${queue}\u0000${field}`;
    this.throughput.set(k, (this.throughput.get(k) ?? 0) + by);
  }

  /** Stages the writes, in parallel: the transaction's length is what other nodes can collide with.
   *  The contended documents (queues) are owned already, at their first touch or before the units
   *  ran (connection.ts), so a lost race shows before this; staging the first write alone first, as
   *  it once did for that, cost a round trip (one node on a hot queue, rep by rep: 50, 48, 48 tasks/s
   *  with it; 53, 58, 48 without). */
  async flush(): Promise<void> {
    const writes = [...this.docs].filter(([, d]) => d.dirty);
    const stage = async ([key, d]: (typeof writes)[number]) => {
      if (d.handle && d.content === null) await this.ctx.remove(d.handle);
      else if (d.handle) await this.ctx.replace(d.handle, d.content);
      else if (d.content !== null) await this.ctx.insert(this.coll, key, d.content);
    };
    for (let i = 0; i < writes.length; i += STAGED_AT_ONCE) await Promise.all(writes.slice(i, i + STAGED_AT_ONCE).map(stage));
  }
}

