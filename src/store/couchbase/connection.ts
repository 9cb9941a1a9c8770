// The cluster connection every area of the Couchbase driver shares: one transaction in flight per
// node with the units that arrived meanwhile (group commit), retries of lost races, what
// "unavailable" means (a 503), and the throughput minutes counted after each commit.
import {
  CasMismatchError, DocumentExistsError, DocumentNotFoundError, DurabilityLevel, TransactionCommitAmbiguousError, TransactionExpiredError,
  TransactionFailedError, TransactionOperationFailedError, type Cluster, type Collection,
} from 'couchbase';
import { GroupCommit, type Outcome } from '../group-commit.js';
import { StoreUnavailableError, type Totals } from '../store.js';
import { Keys } from './keys.js';
import { DEFAULT_QUEUE_SHARDS, emptyTotals, MAX_QUEUE_SHARDS } from './queue-doc.js';
import { retryOnConflict, RETRY_LIMITS, type RetryOptions } from './retry.js';
import type { Clock } from '../../clock.js';
import { Unit } from './unit.js';
import type { TotalsField } from './docs.js';

export const DURABILITY_LEVELS: Record<string, DurabilityLevel> = {
  none: DurabilityLevel.None,
  majority: DurabilityLevel.Majority,
  majorityAndPersistActive: DurabilityLevel.MajorityAndPersistOnMaster,
  persistToMajority: DurabilityLevel.PersistToMajority,
};

export interface CouchbaseOptions {
  connStr: string; username: string; password: string; bucket: string; scope: string;
  durability: string;
  /** Every document key starts with it: several installations can share a bucket. */
  keyPrefix: string;
  /** COUCHBASE_QUEUE_SHARDS: how many shards a queue's tasks spread over (queue-doc.ts). */
  queueShards?: number;
  bootstrapTimeoutMs?: number;
  /** SWITCHYARD_KEEP_FINISHED: a succeeded or cancelled task's document expires by itself a minute
   *  after this, whether or not a pruning sweep removed it first. */
  keepFinishedSeconds: number;
}

/** A start-up failure, worded for the one line the broker prints before exiting. */

export const TRANSACTION_TIMEOUT_MS = 5_000;
/** Throughput minute documents expire by themselves after a day. */
const THROUGHPUT_EXPIRY_S = 25 * 3600;
/** Units that share one transaction at most (group commit). */
const UNITS_PER_TRANSACTION = 64;
/** Tries of a batch of several units before it splits in halves (see commitBatch). */
const BATCH_TRIES_BEFORE_SPLIT = 2;

/** What a unit will touch whatever it finds: documents it reads, documents it will read that those
 *  name (thenRead: a worker's queues), and (known from those) documents it will own, i.e. stage a
 *  write on (see Unit.getForUpdate). */
export interface Prefetch {
  read?: readonly string[];
  thenRead?: (u: Unit) => Promise<readonly string[]>;
  own?: (u: Unit) => Promise<readonly string[]>;
}

/** One request's part of a transaction; alone: in a transaction of its own (transactAlone); once:
 *  not re-run when another transaction holds a document it writes (it then fails with LostRace). */
interface UnitOfWork { work: (u: Unit) => Promise<unknown>; prefetch: Prefetch; alone?: boolean; once?: boolean }

/** Tries of a transaction run once: other transient failures (the mock's, under load) than a lost race
 *  are still tried again. */
const ONCE_TRIES = 3;

/** A transaction run once (transactAlone's once) that lost a race to another node's; rolled back. */
export class LostRace extends Error {}

/** A batch of several units that kept losing races to other nodes: commitBatch splits it. */
class BatchLostRaces extends Error {}

/** A transaction that failed for a reason outside our code (a lost race, a staged write that met
 *  another's, a transient server answer): it was rolled back, so re-running it whole is safe. Our own
 *  bugs (a TypeError in the unit) are not retried, and a timeout only twice, so that a lost cluster
 *  turns into a 503 within seconds. */
const TIMEOUT_RETRIES = 2;
function isConflict(e: unknown, attempt: number): boolean {
  // Expired: it ran out of time (a slow or briefly lost cluster) before committing anything.
  if (e instanceof TransactionExpiredError) return attempt <= TIMEOUT_RETRIES;
  if (!(e instanceof TransactionFailedError) && !(e instanceof TransactionOperationFailedError)) return false;
  const cause = (e as { cause?: unknown }).cause;
  if (cause instanceof TypeError || cause instanceof RangeError || cause instanceof ReferenceError) return false;
  return !isUnavailable(cause ?? e) || attempt <= TIMEOUT_RETRIES;
}

/** Another transaction holds a document this one would write (it had staged a write there first).
 *  The SDK has no error class for it: its message says so ("... in another transaction"), or its
 *  cause's code (document_already_in_transaction, the name the SDK gives that case). */
const WRITE_WRITE_CONFLICT = /in another transaction|document_already_in_transaction/i;
function isWriteWriteConflict(e: unknown): boolean {
  for (let c: unknown = e; c instanceof Error; c = (c as { cause?: unknown }).cause) if (WRITE_WRITE_CONFLICT.test(c.message)) return true;
  return false;
}

/** Errors that mean "the cluster cannot be reached or written now": the broker answers 503. */
function isUnavailable(e: unknown): boolean {
  if (e instanceof TransactionExpiredError || e instanceof TransactionCommitAmbiguousError) return true;
  const cause = e instanceof TransactionFailedError || e instanceof TransactionOperationFailedError ? (e as { cause?: unknown }).cause ?? e : e;
  const name = (cause as Error | undefined)?.constructor?.name ?? '';
  const message = String((cause as Error | undefined)?.message ?? '');
  return /Timeout|ServiceNotAvailable|RequestCanceled|Network|Connection|TemporaryFailure|Durab|ClusterClosed/i.test(name)
    || /timeout|not.?connected|service_not_available|request_canceled|network|temporary_failure|durab|cluster_closed/i.test(message);
}

export class CouchbaseConnection {
  readonly keys: Keys;
  readonly durabilityLevel: DurabilityLevel;
  readonly keepFinishedSeconds: number;
  /** COUCHBASE_QUEUE_SHARDS, checked. */
  readonly queueShards: number;

  private readonly retry: RetryOptions;

  constructor(private readonly cluster: Cluster, readonly coll: Collection, readonly opts: CouchbaseOptions, clock: Clock) {
    this.retry = { ...RETRY_LIMITS, clock };
    this.keys = new Keys(opts.keyPrefix);
    this.queueShards = opts.queueShards ?? DEFAULT_QUEUE_SHARDS;
    if (!Number.isInteger(this.queueShards) || this.queueShards < 1 || this.queueShards > MAX_QUEUE_SHARDS) {
      throw new RangeError(`queueShards must be a whole number from 1 to ${MAX_QUEUE_SHARDS}, not ${this.queueShards}`);
    }
    this.durabilityLevel = DURABILITY_LEVELS[opts.durability] ?? DurabilityLevel.Majority;
    this.keepFinishedSeconds = opts.keepFinishedSeconds;
  }

  private home: Promise<number> | null = null;

  /** The shard this node publishes new tasks to and claims from first, 1 to COUCHBASE_QUEUE_SHARDS
   *  (0, the head every node shares, when that is 1): nodes take numbers from one counter as they
   *  first need one, so a cluster's nodes started together get different shards. */
  homeShard(): Promise<number> {
    const shards = this.queueShards;
    if (shards <= 1) return Promise.resolve(0);
    this.home ??= this.guard(async () => {
      const r = await this.coll.binary().increment(this.keys.counter('nodes'), 1, { initial: 1, durabilityLevel: this.durabilityLevel });
      return 1 + ((Number(r.value) - 1) % shards);
    }).catch((e: unknown) => { this.home = null; throw e; });
    return this.home;
  }

  /** Maps "cannot reach the cluster" to StoreUnavailableError; everything else is a bug and passes. */
  async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      const why = `${(e as Error).message}${(e as { cause?: Error }).cause ? ` (${(e as { cause?: Error }).cause!.message})` : ''}`;
      if (isUnavailable(e)) throw new StoreUnavailableError(`Couchbase store ${this.opts.connStr}: ${why}`);
      // Still losing races when the retry budget ran out: the cluster is too busy, not our bug.
      if (isConflict(e, Infinity)) throw new StoreUnavailableError(`Couchbase store ${this.opts.connStr} is busy: other nodes kept changing the same documents (${why})`);
      throw e;
    }
  }

  /** A node runs one transaction at a time and puts every unit that arrived meanwhile into the next
   *  one (group commit): units of one node never race each other for the same queue document, so
   *  only other nodes' transactions can make one re-run. Each unit sees the ones before it in the
   *  batch, exactly as if they had run one after another; the batch commits or fails as a whole,
   *  except that a unit failing for a reason of its own fails alone (see commitBatch). */
  private readonly commits = new GroupCommit<UnitOfWork>((batch, settle) => this.commitBatch(batch, settle), UNITS_PER_TRANSACTION, (w) => w.alone === true);

  /** prefetch: what the unit will touch whatever it finds. Before its units run one after another,
   *  the batch reads every unit's documents in one parallel round (read by each unit in turn, they
   *  were most of a transaction's time: a batch of 16 reports with next: true spent 170 of its 220 ms
   *  reading 30 such documents one after another, 1 ms from the cluster), then owns the documents
   *  its units will write, one at a time in key order: two nodes' batches that own the same queues
   *  own them in the same order, so one waits for the other instead of each holding what the other
   *  waits for until one gives up. */
  transact<T>(work: (u: Unit) => Promise<T>, prefetch: Prefetch = {}): Promise<T> {
    return this.commits.add<T>({ work, prefetch });
  }

  /** A transaction of its own, in its turn among this node's batches: for work that often loses races
   *  to other nodes (documents every node writes now and then; another node's shard), which in a
   *  batch would fail, and split, the requests beside it. */
  transactAlone<T>(work: (u: Unit) => Promise<T>, opts: { once?: boolean } = {}): Promise<T> {
    return this.commits.add<T>({ work, prefetch: {}, alone: true, once: opts.once === true });
  }

  /** settle(i, outcome) answers unit i early; from is the batch's place in the one it was split from. */
  private async commitBatch(batch: UnitOfWork[], settle: (index: number, outcome: Outcome) => void, from = 0): Promise<Outcome[]> {
    try {
      return await this.commitTogether(batch);
    } catch (e) {
      // A batch owns the documents of all its units, each from the unit's first touch, in arrival
      // order; two nodes' batches owning overlapping sets in other orders made each other re-run
      // until one timed out (publishes of 12 s with 100 queues on 4 nodes). Halves own fewer
      // documents, and a single unit mostly one queue's: they run in order, one at a time as ever.
      if (e instanceof BatchLostRaces) {
        const half = batch.length >>> 1;
        const first = await this.commitBatch(batch.slice(0, half), settle, from);
        // The first half's requests are answered now, not after the second half's wait.
        first.forEach((o, i) => settle(from + i, o));
        return [...first, ...await this.commitBatch(batch.slice(half), settle, from + half)];
      }
      if (e instanceof StoreUnavailableError || batch.length === 1) throw e;
      // Not the cluster: one unit's own error (bad data, a bug), thrown by it or when its documents
      // were written. Each again alone, so only that one fails.
      const outs: Outcome[] = [];
      for (const work of batch) {
        try {
          outs.push((await this.commitTogether([work]))[0]!);
        } catch (err) {
          outs.push({ ok: false, error: err });
        }
      }
      return outs;
    }
  }

  private commitTogether(batch: UnitOfWork[]): Promise<Outcome[]> {
    // The SDK never settles a transaction begun on a closed cluster, and the process cannot exit
    // while one waits (a write queued as the broker stops, a store closed under a running broker).
    if (this.closed) return Promise.reject(new StoreUnavailableError(`Couchbase store ${this.opts.connStr} is closed`));
    // A batch of several units is not re-run while it keeps losing: it splits (see commitBatch).
    const several = batch.length > 1;
    const once = !several && batch[0]?.once === true;
    const retry = several ? { ...this.retry, attempts: BATCH_TRIES_BEFORE_SPLIT } : once ? { ...this.retry, attempts: ONCE_TRIES } : this.retry;
    const retryable = several ? (e: unknown, attempt: number) => !(e instanceof TransactionExpiredError) && isConflict(e, attempt)
      : once ? (e: unknown, attempt: number) => !isWriteWriteConflict(e) && isConflict(e, attempt) : isConflict;
    let runs = 0;
    return this.guard(() => retryOnConflict(async () => {
      let outs: Outcome[] = [];
      let unit!: Unit;
      await this.cluster.transactions().run(async (ctx) => {
        unit = new Unit(ctx, this.coll);
        outs = [];
        await unit.getMany([...new Set(batch.flatMap((b) => b.prefetch.read ?? []))]);
        const named = await Promise.all(batch.map((b) => b.prefetch.thenRead?.(unit) ?? []));
        await unit.getMany([...new Set(named.flat())]);
        const owned = new Set<string>();
        // Each unit's own() reads what tells it which documents it writes: all units' in one round.
        for (const keys of await Promise.all(batch.map((b) => b.prefetch.own?.(unit) ?? []))) for (const key of keys) owned.add(key);
        // Owned all at once on the first run: one by one (the order that makes two nodes' batches wait
        // for each other instead of failing each other) cost a batch of publishes and reports to 100
        // queues 86 of its 225 ms, and most batches meet no other node's. A run after a lost race owns
        // them in that order.
        if (++runs === 1) await Promise.all([...owned].map((key) => unit.getForUpdate(key)));
        else for (const key of [...owned].sort()) await unit.getForUpdate(key);
        for (const { work } of batch) outs.push({ ok: true, value: await work(unit) });
        await unit.flush();
      }, { durabilityLevel: this.durabilityLevel, timeout: TRANSACTION_TIMEOUT_MS });
      await Promise.all([this.addThroughput(unit.throughput), this.setExpiries(unit.expiries)]);
      return outs;
    }, retryable, retry).catch(async (e: unknown) => {
      // Lost races, or ran out of time waiting on another node's staged write: split, if the
      // cluster itself answers; a cluster that does not is an outage, answered as one, at once.
      const lost = e instanceof TransactionExpiredError || (isConflict(e, 1) && !isUnavailable(e));
      if (several && lost && await this.answers()) throw new BatchLostRaces('lost races', { cause: e });
      if (once && isWriteWriteConflict(e)) throw new LostRace('lost a race', { cause: e });
      throw e;
    }));
  }

  /** Whether the cluster answers a read within a second (an absent document is an answer). */
  private async answers(): Promise<boolean> {
    try {
      await this.coll.get(this.keys.meta(), { timeout: 1000 });
      return true;
    } catch (e) {
      return e instanceof DocumentNotFoundError;
    }
  }

  /** Throughput minutes: one document a minute, { queue: Totals }, added to with a CAS loop (many nodes
   *  add to the same minute). Counted after the commit: a node that dies between the two loses a few
   *  counts of a chart, never a task. */
  private async addThroughput(increments: Map<string, number>): Promise<void> {
    const byMinute = new Map<number, [string, TotalsField, number][]>();
    for (const [k, by] of increments) {
      const [minute, queue, field] = k.split('\u0000') as [string, string, TotalsField];
      byMinute.set(Number(minute), [...(byMinute.get(Number(minute)) ?? []), [queue, field, by]]);
    }
    await Promise.all([...byMinute].map(([minute, adds]) => retryOnConflict(async () => {
      const key = this.keys.throughput(minute);
      let doc: Record<string, Totals> = {};
      let cas: unknown = null;
      try {
        const r = await this.coll.get(key);
        doc = r.content as Record<string, Totals>; cas = r.cas;
      } catch (e) { if (!(e instanceof DocumentNotFoundError)) throw e; }
      for (const [queue, field, by] of adds) {
        const t = (doc[queue] ??= emptyTotals());
        t[field] = (t[field] ?? 0) + by;
      }
      if (cas === null) await this.coll.insert(key, doc, { expiry: THROUGHPUT_EXPIRY_S });
      else await this.coll.replace(key, doc, { cas: cas as never, expiry: THROUGHPUT_EXPIRY_S });
    }, (e) => e instanceof CasMismatchError || e instanceof DocumentExistsError, this.retry).catch(() => undefined)));
  }

  /** After the commit, so a node that dies in between leaves the document without its expiry: it is
   *  then ignored once stale (each such document says until when it holds), never wrong. */
  private async setExpiries(expiries: Map<string, number>): Promise<void> {
    await Promise.all([...expiries].map(([key, seconds]) => this.coll.touch(key, seconds).catch(() => undefined)));
  }

  async getDoc<T>(key: string): Promise<T | null> {
    try {
      return (await this.coll.get(key)).content as T;
    } catch (e) {
      if (e instanceof DocumentNotFoundError) return null;
      throw e;
    }
  }

  async ping(): Promise<void> {
    await this.guard(() => this.getDoc(this.keys.meta()));
  }

  /** Set once the cluster is closed (or about to be): no transaction may begin after it. */
  private closed = false;
  private closing: Promise<void> | null = null;

  close(): Promise<void> {
    this.closing ??= (async () => {
      // Writes under way end first (each within its timeout, retries included: a few times that);
      // closing the cluster under a transaction leaves it, and the process, hanging.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.commits.drain(), new Promise((r) => { timer = setTimeout(r, 4 * TRANSACTION_TIMEOUT_MS); })]);
      clearTimeout(timer);
      this.closed = true;
      await this.cluster.close();
    })();
    return this.closing;
  }

  async removeDocs(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 64) {
      await Promise.all(keys.slice(i, i + 64).map((k) => this.coll.remove(k).catch((e) => {
        if (!(e instanceof DocumentNotFoundError)) throw e;
      })));
    }
  }
}
