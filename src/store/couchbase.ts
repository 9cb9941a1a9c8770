// The clustered store: any number of stateless broker nodes over one Couchbase bucket, using only
// key-value operations (no SQL++, no views, no indexes: a Data-service-only cluster is enough).
// Every state transition is one Couchbase transaction over the documents it touches (the queue
// document, the task documents, the worker), so racing nodes serialize per queue and exactly one of
// them wins; a lost race re-runs from fresh reads. The layout is explained in docs/couchbase.md.
import { hasFieldText } from '../fields.js';
import { createHash } from 'node:crypto';
import { timeOrderedId } from '../ids.js';
import { planIdempotency, replayed, type IdempotencyRecord } from './idempotency.js';
import {
  connect, DurabilityLevel, DocumentNotFoundError, DocumentExistsError, CasMismatchError, TransactionFailedError, TransactionOperationFailedError, TransactionExpiredError, TransactionCommitAmbiguousError,
  AuthenticationFailureError, BucketNotFoundError, ScopeNotFoundError, CollectionNotFoundError,
  type Cluster, type Collection, type TransactionAttemptContext, type TransactionGetResult,
} from 'couchbase';
import { emptyCounts, type TaskState } from '../lifecycle/states.js';
import { leaseMs } from '../lifecycle/lease.js';
import { planFail, planLeaseExpiry, planWorkerRemoval, releasedReason, removedCopyReason, retriedEntry, targetOnReturn } from '../lifecycle/transitions.js';
import { roomToStart } from '../lifecycle/limits.js';
import { Keys, minuteOf } from './couchbase/keys.js';
import { retryOnConflict } from './couchbase/retry.js';
import { GroupCommit, type Outcome } from './group-commit.js';
import {
  claimFilter, countWaitingKey, emptyTotals, hasWaitingKey, newQueueDoc, type QueueDoc,
} from './couchbase/queue-doc.js';
import { dueOrder, Lane, readyOrder, type Segment, type WaitEntry } from './couchbase/lane.js';
import {
  DEFAULT_POLICY, StoreUnavailableError,
  type ClaimResult, type FailedFilter, type FailedSelection, type InterestMap, type NewEvent, type PublishedEvent, type PublishResult, publishStatus,
  type QueuePolicy, type QueueSummary, type Report, type ScheduleDefinition, type ScheduleFiring, type ScheduleRecord, type ReportOutcome, type ReportResult, type Store, type TaskRecord,
  type ThroughputMinute, type Totals, type TransitionRules, type WorkerRecord, type WorkersRemoved,
} from './store.js';

interface SchedulesDoc { schedules: Record<string, ScheduleRecord> }

const TRANSACTION_TIMEOUT_MS = 5_000;
/** Throughput minute documents expire by themselves after a day. */
const THROUGHPUT_EXPIRY_S = 25 * 3600;
/** Bounded work per transaction for sweeps that touch many task documents. */
const TASKS_PER_TRANSACTION = 200;
/** Due scheduled tasks a claim promotes in passing, per queue (the sweep does the rest). */
const PROMOTE_PER_CLAIM = 100;
/** Units that share one transaction at most (group commit). */
const UNITS_PER_TRANSACTION = 64;

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
  bootstrapTimeoutMs?: number;
}

/** A start-up failure, worded for the one line the broker prints before exiting. */
export class CouchbaseOpenError extends Error {}

interface MetaDoc { revision: number; queues: string[] }
interface WorkerDoc { workerId: string; name: string; queues: string[]; registeredAtMs: number; lastSeenAtMs: number; tasksDone: number; tasks: string[] }
interface FailedDoc { entries: [taskId: string, finishedAtMs: number][] }
interface FinishedDoc { ids: string[] }
interface EventDoc { taskIds: string[] }

type TotalsField = keyof Totals;

/** The documents one transaction attempt has read, changed in memory and will write at the end. */
class Unit {
  private readonly docs = new Map<string, { handle: TransactionGetResult | null; content: unknown; dirty: boolean }>();
  /** Per-minute throughput increments, applied after the commit (outside the transaction). */
  readonly throughput = new Map<string, number>();

  constructor(private readonly ctx: TransactionAttemptContext, private readonly coll: Collection) {}

  async get<T>(key: string): Promise<T | null> {
    const known = this.docs.get(key);
    if (known) return known.content as T | null;
    try {
      const handle = await this.ctx.get(this.coll, key);
      this.docs.set(key, { handle, content: handle.content, dirty: false });
      return handle.content as T;
    } catch (e) {
      if (!(e instanceof DocumentNotFoundError)) throw e;
      this.docs.set(key, { handle: null, content: null, dirty: false });
      return null;
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

  count(queue: string, minuteMs: number, field: TotalsField, by = 1): void {
    const k = `${minuteMs}\u0000${queue}\u0000${field}`;
    this.throughput.set(k, (this.throughput.get(k) ?? 0) + by);
  }

  /** Stages the writes: the first document read (the contended one: a worker's or a queue's) first,
   *  so a lost race shows before the rest is staged; then the others in parallel, keeping the
   *  transaction short, since its length is what other nodes can collide with. */
  async flush(): Promise<void> {
    const writes = [...this.docs].filter(([, d]) => d.dirty);
    const stage = async ([key, d]: (typeof writes)[number]) => {
      if (d.handle && d.content === null) await this.ctx.remove(d.handle);
      else if (d.handle) await this.ctx.replace(d.handle, d.content);
      else if (d.content !== null) await this.ctx.insert(this.coll, key, d.content);
    };
    if (writes.length) await stage(writes[0]!);
    for (let i = 1; i < writes.length; i += 32) await Promise.all(writes.slice(i, i + 32).map(stage));
  }
}

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

/** Errors that mean "the cluster cannot be reached or written now": the broker answers 503. */
function isUnavailable(e: unknown): boolean {
  if (e instanceof TransactionExpiredError || e instanceof TransactionCommitAmbiguousError) return true;
  const cause = e instanceof TransactionFailedError || e instanceof TransactionOperationFailedError ? (e as { cause?: unknown }).cause ?? e : e;
  const name = (cause as Error | undefined)?.constructor?.name ?? '';
  const message = String((cause as Error | undefined)?.message ?? '');
  return /Timeout|ServiceNotAvailable|RequestCanceled|Network|Connection|TemporaryFailure|Durab|ClusterClosed/i.test(name)
    || /timeout|not.?connected|service_not_available|request_canceled|network|temporary_failure|durab|cluster_closed/i.test(message);
}


export class CouchbaseStore implements Store {
  readonly kind = 'couchbase' as const;
  private readonly keys: Keys;
  private readonly durabilityLevel: DurabilityLevel;

  constructor(private readonly cluster: Cluster, private readonly coll: Collection, readonly opts: CouchbaseOptions) {
    this.keys = new Keys(opts.keyPrefix);
    this.durabilityLevel = DURABILITY_LEVELS[opts.durability] ?? DurabilityLevel.Majority;
  }

  /** Maps "cannot reach the cluster" to StoreUnavailableError; everything else is a bug and passes. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
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
  private readonly commits = new GroupCommit<(u: Unit) => Promise<unknown>>((batch) => this.commitBatch(batch), UNITS_PER_TRANSACTION);

  private transact<T>(work: (u: Unit) => Promise<T>): Promise<T> {
    return this.commits.add<T>(work);
  }

  private async commitBatch(batch: ((u: Unit) => Promise<unknown>)[]): Promise<Outcome[]> {
    try {
      return await this.commitTogether(batch);
    } catch (e) {
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

  private commitTogether(batch: ((u: Unit) => Promise<unknown>)[]): Promise<Outcome[]> {
    return this.guard(() => retryOnConflict(async () => {
      let outs: Outcome[] = [];
      let unit!: Unit;
      await this.cluster.transactions().run(async (ctx) => {
        unit = new Unit(ctx, this.coll);
        outs = [];
        for (const work of batch) outs.push({ ok: true, value: await work(unit) });
        await unit.flush();
      }, { durabilityLevel: this.durabilityLevel, timeout: TRANSACTION_TIMEOUT_MS });
      await this.addThroughput(unit.throughput);
      return outs;
    }, isConflict));
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
    }, (e) => e instanceof CasMismatchError || e instanceof DocumentExistsError).catch(() => undefined)));
  }

  private async getDoc<T>(key: string): Promise<T | null> {
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

  private closed = false;

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.cluster.close();
  }

  // ---- documents inside a transaction ------------------------------------------------------

  /** The queue's document; created (undeclared unless declare) and registered in meta when missing. */
  private async queueDoc(u: Unit, name: string, create: false): Promise<QueueDoc | null>;
  private async queueDoc(u: Unit, name: string, create: 'declared' | 'undeclared'): Promise<QueueDoc>;
  private async queueDoc(u: Unit, name: string, create: false | 'declared' | 'undeclared'): Promise<QueueDoc | null> {
    const key = this.keys.queue(name);
    let q = await u.getForUpdate<QueueDoc>(key);
    if (!q && create) {
      q = newQueueDoc(name, create === 'declared');
      u.put(key, q);
      const meta = (await u.get<MetaDoc>(this.keys.meta())) ?? { revision: 0, queues: [] };
      if (!meta.queues.includes(name)) { meta.queues.push(name); u.put(this.keys.meta(), meta); }
    } else if (q && create === 'declared' && !q.declared) {
      q.declared = true;
    }
    return q;
  }

  /** The queue's document, declared; created: it was not declared before this transaction. */
  private async declareQueue(u: Unit, name: string): Promise<{ q: QueueDoc; created: boolean }> {
    const created = !(await u.getForUpdate<QueueDoc>(this.keys.queue(name)))?.declared;
    return { q: await this.queueDoc(u, name, 'declared'), created };
  }

  private async bumpRevision(u: Unit): Promise<number> {
    const meta = (await u.get<MetaDoc>(this.keys.meta())) ?? { revision: 0, queues: [] };
    meta.revision++;
    u.put(this.keys.meta(), meta);
    return meta.revision;
  }

  /** Moves a task between states, keeping the queue's lanes, counts, totals and throughput exact. */
  private async move(u: Unit, q: QueueDoc, t: TaskRecord, to: TaskState, nowMs: number): Promise<void> {
    const from = t.state;
    // Leave the old state's index.
    if (from === 'scheduled' || from === 'ready') await this.leaveWaiting(u, q, t);
    else if (from === 'started') delete q.started[t.taskId];
    else if (from === 'failed') await this.editFailed(u, q.name, (f) => { f.entries = f.entries.filter(([id]) => id !== t.taskId); });
    q.counts[from]--;
    t.state = to;
    // Enter the new one.
    if (to === 'scheduled' || to === 'ready') {
      await this.enterWaiting(u, q, t, to);
    } else if (to === 'started') {
      q.started[t.taskId] = { w: t.workerId!, lease: t.leaseExpiresAtMs!, k: t.uniqueKey, sr: t.singularlyRun, at: nowMs };
    } else if (to === 'failed') {
      await this.editFailed(u, q.name, (f) => { f.entries.push([t.taskId, nowMs]); });
    } else {
      await this.addFinished(u, q, t.taskId, nowMs);
    }
    q.counts[to]++;
    // Totals count the work a queue did: transitions into and out of 'started'.
    const minute = minuteOf(nowMs);
    const total = (field: TotalsField) => { q.totals[field]++; u.count(q.name, minute, field); };
    if (to === 'started') total('started');
    else if (from === 'started' && to === 'succeeded') total('succeeded');
    else if (from === 'started' && to === 'failed') total('failed');
    else if (from === 'started' && (to === 'ready' || to === 'scheduled')) total('retried');
    u.put(this.keys.queue(q.name), q);
    u.put(this.keys.task(t.taskId), t);
  }

  private async editFailed(u: Unit, queue: string, edit: (f: FailedDoc) => void): Promise<void> {
    const key = this.keys.failed(queue);
    const f = (await u.get<FailedDoc>(key)) ?? { entries: [] };
    edit(f);
    u.put(key, f);
  }

  private async addFinished(u: Unit, q: QueueDoc, taskId: string, nowMs: number): Promise<void> {
    const minute = minuteOf(nowMs);
    const key = this.keys.finished(q.name, minute);
    const d = (await u.get<FinishedDoc>(key)) ?? { ids: [] };
    d.ids.push(taskId);
    u.put(key, d);
    if (!q.finishedMinutes.includes(minute)) { q.finishedMinutes.push(minute); q.finishedMinutes.sort((a, b) => a - b); }
  }

  /** The queue's two lanes, their segments read and written through this transaction. */
  private lanes(u: Unit, q: QueueDoc): { ready: Lane; scheduled: Lane } {
    const io = {
      get: (id: number) => u.get<Segment>(this.keys.segment(q.name, id)),
      put: (id: number, seg: Segment) => u.put(this.keys.segment(q.name, id), seg),
      remove: (id: number) => u.remove(this.keys.segment(q.name, id)),
      newId: () => q.nextSegment++,
    };
    return { ready: new Lane(q.ready, readyOrder, io), scheduled: new Lane(q.scheduled, dueOrder, io) };
  }

  /** A lane to read outside a transaction (paging for status and the page). */
  private readLane(q: QueueDoc, which: 'ready' | 'scheduled'): Lane {
    const readOnly = () => { throw new Error('read-only lane'); };
    const io = { get: (id: number) => this.getDoc<Segment>(this.keys.segment(q.name, id)), put: readOnly, remove: readOnly, newId: readOnly };
    return new Lane(q[which], which === 'ready' ? readyOrder : dueOrder, io);
  }

  private async enterWaiting(u: Unit, q: QueueDoc, t: TaskRecord, st: 'ready' | 'scheduled'): Promise<void> {
    const e: WaitEntry = { id: t.taskId, p: t.priority, r: t.runAtMs, s: q.nextSeq++, st, w: t.targetWorkerId, k: t.uniqueKey, sr: t.singularlyRun };
    await this.lanes(u, q)[st].insert(e);
    countWaitingKey(q, e, 1);
  }

  private async leaveWaiting(u: Unit, q: QueueDoc, t: TaskRecord): Promise<void> {
    const lane = this.lanes(u, q)[t.state as 'ready' | 'scheduled'];
    for (const e of await lane.remove([t.taskId])) countWaitingKey(q, e, -1);
  }

  /** Due scheduled tasks of q become ready (in due order, at most limit); returns how many. */
  private async promoteDue(u: Unit, q: QueueDoc, nowMs: number, limit: number): Promise<number> {
    const first = q.scheduled[0]?.first;
    if (!first || first.r > nowMs) return 0;
    const due: WaitEntry[] = [];
    await this.lanes(u, q).scheduled.scan((e) => (e.r <= nowMs && due.length < limit ? void due.push(e) : false));
    let n = 0;
    for (const t of await u.getMany<TaskRecord>(due.map((e) => this.keys.task(e.id)))) {
      if (t?.state === 'scheduled') { await this.move(u, q, t, 'ready', nowMs); n++; }
    }
    return n;
  }

  /** A new task in q, counted as published. */
  private async addTask(u: Unit, q: QueueDoc, t: TaskRecord): Promise<void> {
    await this.enterWaiting(u, q, t, t.state as 'ready' | 'scheduled');
    q.counts[t.state]++;
    q.totals.published++;
    u.count(q.name, minuteOf(t.createdAtMs), 'published');
    u.put(this.keys.queue(q.name), q);
    u.put(this.keys.task(t.taskId), t);
  }

  // ---- interests and queues ----------------------------------------------------------------

  async interestsRevision(): Promise<number> {
    return this.guard(async () => (await this.getDoc<MetaDoc>(this.keys.meta()))?.revision ?? 0);
  }

  async loadInterests() {
    return this.guard(async () => {
      const meta = (await this.getDoc<MetaDoc>(this.keys.meta())) ?? { revision: 0, queues: [] };
      const docs = await Promise.all(meta.queues.map((q) => this.getDoc<QueueDoc>(this.keys.queue(q))));
      const queues = docs.filter((q): q is QueueDoc => q !== null && q.interests !== null)
        .map((q) => ({ queue: q.name, interests: q.interests as InterestMap }))
        .sort((a, b) => (a.queue < b.queue ? -1 : a.queue > b.queue ? 1 : 0));
      return { revision: meta.revision, queues };
    });
  }

  setInterests(queue: string, interests: InterestMap, nowMs: number) {
    void nowMs;
    return this.transact(async (u) => {
      const { q, created } = await this.declareQueue(u, queue);
      q.interests = interests;
      u.put(this.keys.queue(queue), q);
      return { revision: await this.bumpRevision(u), created };
    });
  }

  removeInterests(queue: string): Promise<boolean> {
    return this.transact(async (u) => {
      const q = await this.queueDoc(u, queue, false);
      if (!q || !q.declared) return false;
      if (q.interests !== null) {
        q.interests = null;
        u.put(this.keys.queue(queue), q);
        await this.bumpRevision(u);
      }
      return true;
    });
  }

  async getQueuePolicy(queue: string): Promise<QueuePolicy | null> {
    return this.guard(async () => {
      const q = await this.getDoc<QueueDoc>(this.keys.queue(queue));
      return q?.declared ? { ...DEFAULT_POLICY, ...q.policy } : null;
    });
  }

  updateQueuePolicy(queue: string, patch: Partial<QueuePolicy>, nowMs: number) {
    void nowMs;
    return this.transact(async (u) => {
      const { q, created } = await this.declareQueue(u, queue);
      q.policy = { ...DEFAULT_POLICY, ...q.policy }; // documents written before a policy field existed
      for (const field of Object.keys(DEFAULT_POLICY) as (keyof QueuePolicy)[]) {
        if (patch[field] !== undefined) (q.policy as unknown as Record<string, unknown>)[field] = patch[field];
      }
      // A new rate starts with a full bucket of one second's worth.
      if (patch.rateLimit !== undefined) q.rate = null;
      u.put(this.keys.queue(queue), q);
      return { policy: q.policy, created };
    });
  }

  async deleteQueue(queue: string): Promise<{ waitingTasksDeleted: number } | null> {
    const removed = await this.removeWaiting(queue, 'queue too');
    return removed === null ? null : { waitingTasksDeleted: removed };
  }

  async purgeWaitingTasks(queue: string): Promise<number> {
    return (await this.removeWaiting(queue, 'waiting only')) ?? 0;
  }

  /** Empties the queue's waiting lanes and, for a delete, undeclares it. null: no such queue. */
  private async removeWaiting(queue: string, what: 'queue too' | 'waiting only'): Promise<number | null> {
    const removed = await this.transact(async (u) => {
      const q = await this.queueDoc(u, queue, false);
      if (!q || (!q.declared && q.ready.length === 0 && q.scheduled.length === 0)) return null;
      const lanes = this.lanes(u, q);
      const ids = [...await lanes.ready.clear(), ...await lanes.scheduled.clear()].map((e) => e.id);
      q.counts.ready = 0; q.counts.scheduled = 0; q.waitingKeys = {};
      if (what === 'queue too') {
        // Started and failed tasks still name the queue: keep its document, undeclared, for them.
        Object.assign(q, { declared: false, interests: null, policy: { ...DEFAULT_POLICY }, rate: null });
        await this.bumpRevision(u);
      }
      u.put(this.keys.queue(queue), q);
      return ids;
    });
    if (removed === null) return null;
    // The task documents are already out of every index; removing them is idempotent tidying.
    await this.guard(() => this.removeDocs(removed.map((id) => this.keys.task(id))));
    return removed.length;
  }

  private async removeDocs(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 64) {
      await Promise.all(keys.slice(i, i + 64).map((k) => this.coll.remove(k).catch((e) => {
        if (!(e instanceof DocumentNotFoundError)) throw e;
      })));
    }
  }

  // ---- events and tasks --------------------------------------------------------------------

  publishEvents(events: NewEvent[], nowMs: number, routedAtRevision?: number): Promise<PublishResult> {
    return this.transact(async (u): Promise<PublishResult> => {
      // Before the reads below: one of them may create a queue and change meta.
      if (routedAtRevision !== undefined) {
        const revision = (await u.get<MetaDoc>(this.keys.meta()))?.revision ?? 0;
        if (revision !== routedAtRevision) return { outcome: 'interests_changed', revision };
      }
      // Read the idempotency records and every queue document first, in parallel: the rest is in memory.
      const recordKey = (publisher: string, key: string) => this.keys.idempotency(createHash('sha256').update(`${publisher}\u0000${key}`).digest('hex'));
      const keyed = events.filter((e) => e.idempotency).map((e) => recordKey(e.publisher, e.idempotency!.key));
      await Promise.all([u.getMany(keyed), ...[...new Set(events.flatMap((e) => e.routes.map((r) => r.queue)))].map((name) => this.queueDoc(u, name, 'undeclared'))]);
      const records = new Map<string, IdempotencyRecord>();
      for (const e of events) {
        if (!e.idempotency) continue;
        const k = recordKey(e.publisher, e.idempotency.key);
        const r = await u.get<IdempotencyRecord>(k);
        if (r && r.expiresAtMs > nowMs) records.set(k, r);
      }
      const decided = planIdempotency(events, (publisher, key) => records.get(recordKey(publisher, key)) ?? null);
      if ('conflict' in decided) return { outcome: 'idempotency_conflict', ...decided.conflict };
      const out: PublishedEvent[] = [];
      for (const [i, ev] of events.entries()) {
        const plan = decided.plans[i]!;
        if (plan.kind === 'replay') { out.push(replayed(plan.answer)); continue; }
        if (plan.kind === 'same-as') { out.push(replayed(out[plan.index]!)); continue; }
        const published: PublishedEvent = { eventId: ev.eventId, status: publishStatus(ev, nowMs), replayed: false, tasks: [], deduplicated: [] };
        const state = ev.runAtMs > nowMs ? 'scheduled' : 'ready';
        const taskIds: string[] = [];
        for (const { queue, route } of ev.routes) {
          const q = await this.queueDoc(u, queue, 'undeclared');
          if (ev.singularlyEnqueue && ev.uniqueKey !== null && hasWaitingKey(q, ev.uniqueKey)) {
            published.deduplicated.push(queue);
            continue;
          }
          const targets = ev.scope === 'all' && q.workers.length ? [...q.workers].sort() : [null];
          for (const targetWorkerId of targets) {
            const taskId = timeOrderedId();
            await this.addTask(u, q, {
              taskId, eventId: ev.eventId, queue, publisher: ev.publisher, data: ev.data, state, priority: ev.priority,
              attempts: 0, maxAttempts: ev.maxAttempts, runAtMs: Math.round(ev.runAtMs), createdAtMs: nowMs, workerId: null,
              targetWorkerId, leaseExpiresAtMs: null, finishedAtMs: null, uniqueKey: ev.uniqueKey, singularlyRun: ev.singularlyRun,
              failReason: null, result: null, route, history: [{ atMs: nowMs, what: 'created', publisher: ev.publisher, ...(ev.origin ? { origin: ev.origin } : {}) }],
            });
            taskIds.push(taskId);
            published.tasks.push({ taskId, queue, state, targetWorkerId });
          }
        }
        if (taskIds.length) u.put(this.keys.event(ev.eventId), { taskIds } satisfies EventDoc);
        if (ev.idempotency) {
          const record: IdempotencyRecord = { bodyHash: ev.idempotency.bodyHash, answer: published, expiresAtMs: ev.idempotency.expiresAtMs };
          u.put(recordKey(ev.publisher, ev.idempotency.key), record);
        }
        out.push(published);
      }
      return { outcome: 'ok', events: out };
    });
  }

  claimTasks(workerId: string, count: number, nowMs: number, rules: TransitionRules): Promise<ClaimResult> {
    return this.transact(async (u): Promise<ClaimResult> => {
      const w = await u.get<WorkerDoc>(this.keys.worker(workerId));
      if (!w) return { outcome: 'worker_not_found' };
      w.lastSeenAtMs = nowMs;
      u.put(this.keys.worker(workerId), w);
      const claimed: TaskRecord[] = [];
      for (const queue of w.queues) {
        if (claimed.length >= count) break;
        const q = await this.queueDoc(u, queue, false);
        if (!q) continue;
        await this.promoteDue(u, q, nowMs, PROMOTE_PER_CLAIM);
        const { room, tokens } = roomToStart({ policy: q.policy, started: q.counts.started, rate: q.rate }, count - claimed.length, nowMs);
        if (room <= 0) continue;
        const mayTake = claimFilter(q, workerId);
        const picks: WaitEntry[] = [];
        await this.lanes(u, q).ready.scan((e) => (picks.length >= room ? false : void (mayTake(e) && picks.push(e))));
        if (!picks.length) continue;
        const lease = nowMs + leaseMs(q.policy.leaseSeconds, rules.defaultLeaseSeconds);
        const tasks = await u.getMany<TaskRecord>(picks.map((e) => this.keys.task(e.id)));
        for (const t of tasks) {
          if (!t) continue;
          t.workerId = workerId; t.attempts++; t.leaseExpiresAtMs = lease; t.failReason = null;
          t.history.push({ atMs: nowMs, what: 'started', workerId, attempt: t.attempts });
          await this.move(u, q, t, 'started', nowMs);
          w.tasks.push(t.taskId);
          claimed.push(t);
        }
        if (q.policy.rateLimit !== null) {
          q.rate = { tokens: tokens - picks.length, atMs: nowMs };
          u.put(this.keys.queue(queue), q);
        }
      }
      return { outcome: 'ok', tasks: claimed };
    });
  }

  reportTasks(workerId: string, reports: Report[], nowMs: number, rules: TransitionRules): Promise<ReportResult> {
    return this.transact(async (u): Promise<ReportResult> => {
      const w = await u.get<WorkerDoc>(this.keys.worker(workerId));
      if (!w) return { outcome: 'worker_not_found' };
      w.lastSeenAtMs = nowMs;
      u.put(this.keys.worker(workerId), w);
      await u.getMany(reports.map((r) => this.keys.task(r.taskId)));
      const outcomes: ReportOutcome[] = [];
      for (const r of reports) {
        const t = await u.get<TaskRecord>(this.keys.task(r.taskId));
        if (!t) { outcomes.push({ outcome: 'task_not_found', taskId: r.taskId }); continue; }
        if (t.state === 'succeeded' || t.state === 'failed' || t.state === 'cancelled') { outcomes.push({ outcome: 'task_finished', taskId: r.taskId }); continue; }
        if (t.state !== 'started' || t.workerId !== workerId) { outcomes.push({ outcome: 'task_not_owned', taskId: r.taskId }); continue; }
        const q = await this.queueDoc(u, t.queue, 'undeclared');
        const startedAtMs = q.started[t.taskId]?.at ?? nowMs;
        if (r.result !== undefined) t.result = r.result;
        if (r.state === 'progress') {
          t.leaseExpiresAtMs = nowMs + leaseMs(q.policy.leaseSeconds, rules.defaultLeaseSeconds);
          q.started[t.taskId]!.lease = t.leaseExpiresAtMs;
          u.put(this.keys.task(t.taskId), t);
          u.put(this.keys.queue(q.name), q);
          outcomes.push({ outcome: 'ok', taskId: t.taskId, queue: t.queue, state: 'started', startedAtMs, leaseExpiresAtMs: t.leaseExpiresAtMs });
          continue;
        }
        w.tasksDone++;
        w.tasks = w.tasks.filter((id) => id !== t.taskId);
        const reEnqueuedTaskId = r.reEnqueue ? await this.addCopy(u, q, t, nowMs) : undefined;
        const also = reEnqueuedTaskId ? { reEnqueuedTaskId } : {};
        t.leaseExpiresAtMs = null;
        if (r.state === 'success') {
          t.finishedAtMs = nowMs; t.failReason = null;
          t.history.push({ atMs: nowMs, what: 'succeeded', workerId, attempt: t.attempts, ...also });
          await this.move(u, q, t, 'succeeded', nowMs);
          outcomes.push({ outcome: 'ok', taskId: t.taskId, queue: t.queue, state: 'succeeded', startedAtMs, ...also });
          continue;
        }
        const plan = planFail(t, q.policy, { failReason: r.failReason, reEnqueued: reEnqueuedTaskId !== undefined, draw: r.draw ?? 0.5, jitter: rules.backoffJitter }, nowMs);
        const retry = plan.retryAtMs !== undefined ? { retryAtMs: plan.retryAtMs } : {};
        Object.assign(t, { runAtMs: plan.runAtMs, failReason: plan.reason, finishedAtMs: plan.finishedAtMs, workerId: plan.keepWorker ? workerId : null });
        t.history.push({ atMs: nowMs, what: 'failed', workerId, attempt: t.attempts, reason: plan.reason, ...retry, ...also });
        await this.move(u, q, t, plan.to, nowMs);
        outcomes.push({ outcome: 'ok', taskId: t.taskId, queue: t.queue, state: plan.to, startedAtMs, ...retry, ...also });
      }
      return { outcome: 'ok', reports: outcomes };
    });
  }

  /** A fresh ready copy of a task in its queue (reEnqueue). */
  private async addCopy(u: Unit, q: QueueDoc, t: TaskRecord, nowMs: number): Promise<string> {
    const taskId = timeOrderedId();
    await this.addTask(u, q, {
      ...t, taskId, state: 'ready', attempts: 0, runAtMs: nowMs, createdAtMs: nowMs, workerId: null, leaseExpiresAtMs: null,
      finishedAtMs: null, failReason: null, result: null,
      history: [{ atMs: nowMs, what: 'created', publisher: t.publisher, reEnqueuedFrom: t.taskId }],
    });
    return taskId;
  }

  async cancelWaitingTasks(sel: { taskId: string } | { eventId: string }, nowMs: number): Promise<{ cancelled: number } | 'not_waiting' | null> {
    let ids: string[];
    if ('taskId' in sel) ids = [sel.taskId];
    else {
      const ev = await this.guard(() => this.getDoc<EventDoc>(this.keys.event(sel.eventId)));
      if (!ev) return null;
      ids = ev.taskIds;
    }
    return this.transact(async (u) => {
      const tasks = await u.getMany<TaskRecord>(ids.map((id) => this.keys.task(id)));
      if ('taskId' in sel) {
        if (!tasks[0]) return null;
        if (tasks[0].state !== 'scheduled' && tasks[0].state !== 'ready') return 'not_waiting';
      }
      let cancelled = 0;
      for (const t of tasks) {
        if (!t || (t.state !== 'scheduled' && t.state !== 'ready')) continue;
        const q = await this.queueDoc(u, t.queue, 'undeclared');
        t.finishedAtMs = nowMs;
        t.history.push({ atMs: nowMs, what: 'cancelled' });
        await this.move(u, q, t, 'cancelled', nowMs);
        cancelled++;
      }
      return { cancelled };
    });
  }

  async getTask(taskId: string): Promise<TaskRecord | null> {
    return this.guard(() => this.getDoc<TaskRecord>(this.keys.task(taskId)));
  }

  async listTasks(queue: string, state: TaskState, limit: number, offset: number) {
    return this.guard(async () => {
      const q = await this.getDoc<QueueDoc>(this.keys.queue(queue));
      if (!q) return { total: 0, tasks: [] };
      let ids: string[];
      if (state === 'ready' || state === 'scheduled') {
        const entries: WaitEntry[] = [];
        await this.readLane(q, state).scan((e) => void entries.push(e));
        ids = entries.sort((a, b) => a.s - b.s).map((e) => e.id);
      }
      else if (state === 'started') ids = Object.keys(q.started);
      else if (state === 'failed') ids = ((await this.getDoc<FailedDoc>(this.keys.failed(queue)))?.entries ?? []).map(([id]) => id);
      else {
        // Finished minutes, newest first, until the page is full.
        const tasks: TaskRecord[] = [];
        let skip = offset;
        for (const minute of [...q.finishedMinutes].reverse()) {
          if (tasks.length >= limit) break;
          const d = await this.getDoc<FinishedDoc>(this.keys.finished(queue, minute));
          const docs = await this.loadTasks([...(d?.ids ?? [])].reverse());
          for (const t of docs) {
            if (t.state !== state) continue;
            if (skip > 0) { skip--; continue; }
            if (tasks.length < limit) tasks.push(t);
          }
        }
        return { total: q.counts[state], tasks };
      }
      // Newest first, like SQLite's arrival order descending.
      const page = ids.reverse().slice(offset, offset + limit);
      return { total: q.counts[state], tasks: await this.loadTasks(page) };
    });
  }

  private async loadTasks(ids: string[]): Promise<TaskRecord[]> {
    const out: TaskRecord[] = [];
    for (let i = 0; i < ids.length; i += 64) {
      const docs = await Promise.all(ids.slice(i, i + 64).map((id) => this.getDoc<TaskRecord>(this.keys.task(id))));
      for (const d of docs) if (d) out.push(d);
    }
    return out;
  }

  // ---- workers -----------------------------------------------------------------------------

  registerWorker(name: string, queues: string[], nowMs: number): Promise<WorkerRecord> {
    return this.transact(async (u) => {
      const workerId = timeOrderedId();
      const w: WorkerDoc = { workerId, name, queues, registeredAtMs: nowMs, lastSeenAtMs: nowMs, tasksDone: 0, tasks: [] };
      u.put(this.keys.worker(workerId), w);
      const reg = (await u.get<{ ids: string[] }>(this.keys.workers())) ?? { ids: [] };
      reg.ids.push(workerId);
      u.put(this.keys.workers(), reg);
      for (const queue of queues) {
        const q = await this.queueDoc(u, queue, 'undeclared');
        if (!q.workers.includes(workerId)) q.workers.push(workerId);
        u.put(this.keys.queue(queue), q);
      }
      return { ...w };
    });
  }

  async getWorker(workerId: string): Promise<WorkerRecord | null> {
    return this.guard(() => this.getDoc<WorkerDoc>(this.keys.worker(workerId)));
  }

  async listWorkers(): Promise<WorkerRecord[]> {
    return this.guard(async () => {
      const reg = await this.getDoc<{ ids: string[] }>(this.keys.workers());
      const docs = await Promise.all((reg?.ids ?? []).map((id) => this.getDoc<WorkerDoc>(this.keys.worker(id))));
      return docs.filter((w): w is WorkerDoc => w !== null)
        .sort((a, b) => a.registeredAtMs - b.registeredAtMs || (a.workerId < b.workerId ? -1 : 1));
    });
  }

  async removeWorkers(sel: { workerId: string } | { queue: string }, nowMs: number) {
    let ids: string[];
    if ('workerId' in sel) ids = [sel.workerId];
    else ids = (await this.guard(() => this.getDoc<QueueDoc>(this.keys.queue(sel.queue))))?.workers ?? [];
    return this.removeEach(ids, nowMs, 'worker removed', null);
  }

  private async removeEach(ids: string[], nowMs: number, why: string, idleBeforeMs: number | null): Promise<WorkersRemoved> {
    const sum: WorkersRemoved = { workers: 0, tasksReturned: 0, tasksCancelled: 0 };
    for (const id of ids) {
      const r = await this.removeWorker(id, nowMs, why, idleBeforeMs);
      sum.workers += r.workers; sum.tasksReturned += r.tasksReturned; sum.tasksCancelled += r.tasksCancelled;
    }
    return sum;
  }

  /** One worker out, in one transaction: started tasks back to ready, copies made for it cancelled.
   *  idleBeforeMs: only if still idle (a reaper racing a worker that just came back does nothing). */
  private removeWorker(workerId: string, nowMs: number, why: string, idleBeforeMs: number | null) {
    return this.transact(async (u): Promise<WorkersRemoved> => {
      const w = await u.get<WorkerDoc>(this.keys.worker(workerId));
      if (!w || (idleBeforeMs !== null && w.lastSeenAtMs >= idleBeforeMs)) return { workers: 0, tasksReturned: 0, tasksCancelled: 0 };
      let tasksReturned = 0; let tasksCancelled = 0;
      for (const queue of w.queues) {
        const q = await this.queueDoc(u, queue, 'undeclared');
        q.workers = q.workers.filter((id) => id !== workerId);
        u.put(this.keys.queue(queue), q);
        const mine = Object.entries(q.started).filter(([, s]) => s.w === workerId).map(([id]) => id);
        const lanes = this.lanes(u, q);
        for (const lane of [lanes.ready, lanes.scheduled]) await lane.scan((e) => void (e.w === workerId && mine.push(e.id)));
        for (const t of await u.getMany<TaskRecord>(mine.map((id) => this.keys.task(id)))) {
          if (!t) continue;
          const plan = planWorkerRemoval(t, workerId);
          if (plan === 'cancel') {
            t.workerId = null; t.leaseExpiresAtMs = null; t.finishedAtMs = nowMs;
            t.history.push({ atMs: nowMs, what: 'cancelled', workerId, reason: removedCopyReason(why) });
            await this.move(u, q, t, 'cancelled', nowMs);
            tasksCancelled++;
          } else if (plan === 'return') {
            t.workerId = null; t.leaseExpiresAtMs = null;
            t.history.push({ atMs: nowMs, what: 'returned', workerId, reason: why });
            await this.move(u, q, t, 'ready', nowMs);
            tasksReturned++;
          }
        }
      }
      const reg = (await u.get<{ ids: string[] }>(this.keys.workers())) ?? { ids: [] };
      reg.ids = reg.ids.filter((id) => id !== workerId);
      u.put(this.keys.workers(), reg);
      u.remove(this.keys.worker(workerId));
      return { workers: 1, tasksReturned, tasksCancelled };
    });
  }

  // ---- failed queue ------------------------------------------------------------------------

  /** Failed tasks matching the filter, newest first. Reason and payload filters read the tasks. */
  private async failedMatching(filter: FailedFilter): Promise<{ entries: [string, number][]; tasks?: Map<string, TaskRecord> }> {
    const meta = await this.getDoc<MetaDoc>(this.keys.meta());
    const queues = filter.queue !== undefined ? [filter.queue] : meta?.queues ?? [];
    const docs = await Promise.all(queues.map((q) => this.getDoc<FailedDoc>(this.keys.failed(q))));
    let entries = docs.flatMap((d) => d?.entries ?? []);
    // Newest first; equal times by id descending keeps paging stable.
    entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : 0));
    if (filter.reason === undefined && filter.search === undefined && filter.field === undefined) return { entries };
    const tasks = new Map((await this.loadTasks(entries.map(([id]) => id))).map((t) => [t.taskId, t]));
    entries = entries.filter(([id]) => {
      const t = tasks.get(id);
      if (!t || t.state !== 'failed') return false;
      if (filter.reason !== undefined && !(t.failReason ?? '').includes(filter.reason)) return false;
      if (filter.search !== undefined && !JSON.stringify(t.data).includes(filter.search)) return false;
      if (filter.field !== undefined && !hasFieldText(t.data, filter.field.path, filter.field.value)) return false;
      return true;
    });
    return { entries, tasks };
  }

  async listFailedTasks(filter: FailedFilter, limit: number, offset: number) {
    return this.guard(async () => {
      const { entries, tasks } = await this.failedMatching(filter);
      const page = entries.slice(offset, offset + limit).map(([id]) => id);
      const docs = tasks ? page.map((id) => tasks.get(id)!) : await this.loadTasks(page);
      return { total: entries.length, tasks: docs };
    });
  }

  private async selectFailedIds(sel: FailedSelection): Promise<string[]> {
    if ('taskIds' in sel) return sel.taskIds;
    return (await this.guard(() => this.failedMatching(sel.filter))).entries.map(([id]) => id);
  }

  /** Applies change to each failed task among ids, TASKS_PER_TRANSACTION to a transaction; counts them. */
  private async eachFailed(sel: FailedSelection, change: (u: Unit, q: QueueDoc, t: TaskRecord) => Promise<void>): Promise<number> {
    const ids = await this.selectFailedIds(sel);
    let n = 0;
    for (let i = 0; i < ids.length; i += TASKS_PER_TRANSACTION) {
      n += await this.transact(async (u) => {
        let changed = 0;
        for (const t of await u.getMany<TaskRecord>(ids.slice(i, i + TASKS_PER_TRANSACTION).map((id) => this.keys.task(id)))) {
          if (!t || t.state !== 'failed') continue;
          await change(u, await this.queueDoc(u, t.queue, 'undeclared'), t);
          changed++;
        }
        return changed;
      });
    }
    return n;
  }

  /** The queues a worker serves now, or null when it does not exist (for targetOnReturn). */
  private async workerQueues(u: Unit, workerId: string | null): Promise<string[] | null> {
    if (workerId === null) return null;
    return (await u.get<WorkerDoc>(this.keys.worker(workerId)))?.queues ?? null;
  }

  /** Takes a task out of its queue's failed list and count, for a retry elsewhere or a delete. */
  private async leaveFailed(u: Unit, q: QueueDoc, taskId: string): Promise<void> {
    await this.editFailed(u, q.name, (f) => { f.entries = f.entries.filter(([id]) => id !== taskId); });
    q.counts.failed--;
    u.put(this.keys.queue(q.name), q);
  }

  retryFailedTasks(sel: FailedSelection, opts: { toQueue?: string; data?: Record<string, unknown> }, nowMs: number): Promise<number> {
    return this.eachFailed(sel, async (u, from, t) => {
      const toQueue = opts.toQueue ?? t.queue;
      const workerQueues = await this.workerQueues(u, t.targetWorkerId);
      const target = targetOnReturn(t.targetWorkerId, toQueue, workerQueues);
      t.history.push(retriedEntry(t, opts, target, workerQueues === null, nowMs));
      Object.assign(t, { attempts: 0, runAtMs: nowMs, finishedAtMs: null, workerId: null, leaseExpiresAtMs: null, failReason: null, targetWorkerId: target.targetWorkerId });
      if (opts.data !== undefined) t.data = opts.data;
      if (toQueue === t.queue) {
        await this.move(u, from, t, 'ready', nowMs);
        return;
      }
      await this.leaveFailed(u, from, t.taskId);
      const to = await this.queueDoc(u, toQueue, 'undeclared');
      t.queue = toQueue; t.state = 'ready';
      await this.enterWaiting(u, to, t, 'ready');
      to.counts.ready++;
      u.put(this.keys.queue(toQueue), to);
      u.put(this.keys.task(t.taskId), t);
    });
  }

  deleteFailedTasks(sel: FailedSelection): Promise<number> {
    return this.eachFailed(sel, async (u, q, t) => {
      await this.leaveFailed(u, q, t.taskId);
      u.remove(this.keys.task(t.taskId));
    });
  }

  // ---- sweeps ------------------------------------------------------------------------------

  private async queueNames(): Promise<string[]> {
    return (await this.guard(() => this.getDoc<MetaDoc>(this.keys.meta())))?.queues ?? [];
  }

  async promoteDueTasks(nowMs: number, limit: number): Promise<number> {
    let n = 0;
    for (const name of await this.queueNames()) {
      if (n >= limit) break;
      const peek = await this.guard(() => this.getDoc<QueueDoc>(this.keys.queue(name)));
      if (!peek || !(peek.scheduled[0]?.first.r! <= nowMs)) continue;
      n += await this.transact(async (u) => this.promoteDue(u, await this.queueDoc(u, name, 'undeclared'), nowMs, Math.min(limit - n, TASKS_PER_TRANSACTION)));
    }
    return n;
  }

  async expireLeases(nowMs: number, limit: number) {
    let returned = 0; let failed = 0;
    for (const name of await this.queueNames()) {
      if (returned + failed >= limit) break;
      const peek = await this.guard(() => this.getDoc<QueueDoc>(this.keys.queue(name)));
      if (!peek || !Object.values(peek.started).some((s) => s.lease < nowMs)) continue;
      const r = await this.transact(async (u) => {
        const q = await this.queueDoc(u, name, 'undeclared');
        const expired = Object.entries(q.started).filter(([, s]) => s.lease < nowMs).slice(0, TASKS_PER_TRANSACTION).map(([id]) => id);
        let back = 0; let out = 0;
        for (const t of await u.getMany<TaskRecord>(expired.map((id) => this.keys.task(id)))) {
          if (!t || t.state !== 'started') continue;
          const plan = planLeaseExpiry(t, q.policy.maxAttempts, nowMs);
          const owner = t.workerId;
          const workerQueues = await this.workerQueues(u, t.targetWorkerId);
          const target = targetOnReturn(t.targetWorkerId, t.queue, workerQueues);
          t.history.push({ atMs: nowMs, what: 'lease-expired', attempt: t.attempts, reason: plan.reason,
            ...(target.released ? { released: releasedReason(t.targetWorkerId!, t.queue, workerQueues === null) } : {}) });
          Object.assign(t, { runAtMs: nowMs, failReason: plan.reason, leaseExpiresAtMs: null, workerId: null, finishedAtMs: plan.finishedAtMs, targetWorkerId: target.targetWorkerId });
          await this.move(u, q, t, plan.to, nowMs);
          const spent = plan.to === 'failed';
          if (owner) {
            const w = await u.get<WorkerDoc>(this.keys.worker(owner));
            if (w) { w.tasks = w.tasks.filter((id) => id !== t.taskId); u.put(this.keys.worker(owner), w); }
          }
          if (spent) out++; else back++;
        }
        return { back, out };
      });
      returned += r.back; failed += r.out;
    }
    return { returned, failed };
  }

  async reapIdleWorkers(idleBeforeMs: number, nowMs: number, limit: number) {
    const idle = (await this.listWorkers()).filter((w) => w.lastSeenAtMs < idleBeforeMs).slice(0, limit);
    return this.removeEach(idle.map((w) => w.workerId), nowMs, 'worker timed out', idleBeforeMs);
  }

  async pruneFinishedTasks(nowMs: number, keepFinishedMs: number, limit: number): Promise<number> {
    const cutoff = nowMs - keepFinishedMs;
    let n = 0;
    for (const name of await this.queueNames()) {
      const peek = await this.guard(() => this.getDoc<QueueDoc>(this.keys.queue(name)));
      for (const minute of (peek?.finishedMinutes ?? []).filter((m) => m < cutoff)) {
        if (n >= limit) return n;
        n += await this.transact(async (u) => {
          const q = await this.queueDoc(u, name, 'undeclared');
          const key = this.keys.finished(name, minute);
          const d = (await u.get<FinishedDoc>(key)) ?? { ids: [] };
          const batch = d.ids.slice(0, TASKS_PER_TRANSACTION);
          const keep: string[] = [];
          let removed = 0;
          for (const [i, t] of (await u.getMany<TaskRecord>(batch.map((id) => this.keys.task(id)))).entries()) {
            if (!t || (t.state !== 'succeeded' && t.state !== 'cancelled')) continue;
            if ((t.finishedAtMs ?? 0) >= cutoff || removed >= limit - n) { keep.push(batch[i]!); continue; }
            q.counts[t.state]--;
            u.remove(this.keys.task(t.taskId));
            removed++;
          }
          d.ids = [...keep, ...d.ids.slice(batch.length)];
          if (d.ids.length) u.put(key, d);
          else { u.remove(key); q.finishedMinutes = q.finishedMinutes.filter((m) => m !== minute); }
          u.put(this.keys.queue(name), q);
          return removed;
        });
      }
    }
    return n;
  }

  // ---- status ------------------------------------------------------------------------------

  async queueSummaries(queue?: string): Promise<QueueSummary[]> {
    return this.guard(async () => {
      const names = queue === undefined ? await this.queueNames() : [queue];
      const docs = await Promise.all(names.map((n) => this.getDoc<QueueDoc>(this.keys.queue(n))));
      return docs
        // Like SQLite: declared queues, and queues that tasks or workers name.
        .filter((q): q is QueueDoc => q !== null && (q.declared || q.workers.length > 0 || Object.values(q.counts).some((c) => c > 0)))
        .map((q) => ({ name: q.name, counts: { ...emptyCounts(), ...q.counts }, policy: { ...DEFAULT_POLICY, ...(q.declared ? q.policy : {}) }, declared: q.declared, interests: q.interests, rate: q.rate }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    });
  }

  async totals(): Promise<Record<string, Totals>> {
    return this.guard(async () => {
      const docs = await Promise.all((await this.queueNames()).map((n) => this.getDoc<QueueDoc>(this.keys.queue(n))));
      const out: Record<string, Totals> = {};
      for (const q of docs) if (q && Object.values(q.totals).some((v) => v > 0)) out[q.name] = { ...emptyTotals(), ...q.totals };
      return out;
    });
  }

  async throughput(sinceMs: number, queue?: string): Promise<ThroughputMinute[]> {
    return this.guard(async () => {
      // One document a minute: from sinceMs to now (at least an hour's worth, at most a day's).
      const first = minuteOf(sinceMs) + (sinceMs % 60_000 === 0 ? 0 : 60_000);
      const span = Math.min(24 * 60, Math.max(60, Math.ceil((Date.now() - first) / 60_000) + 1));
      const minutes = Array.from({ length: span }, (_, i) => first + i * 60_000);
      const docs = await Promise.all(minutes.map((m) => this.getDoc<Record<string, Totals>>(this.keys.throughput(m))));
      const out: ThroughputMinute[] = [];
      docs.forEach((d, i) => {
        if (!d) return;
        const sum = { minuteMs: minutes[i]!, ...emptyTotals() };
        for (const [name, t] of Object.entries(d)) {
          if (queue !== undefined && name !== queue) continue;
          for (const f of Object.keys(t) as TotalsField[]) sum[f] += t[f] ?? 0;
        }
        out.push(sum);
      });
      return out;
    });
  }

  // ---- schedules: one document holds them all (a handful per installation) --------------------

  private async editSchedules<T>(change: (all: Record<string, ScheduleRecord>) => T): Promise<T> {
    return this.transact(async (u) => {
      const doc = (await u.getForUpdate<SchedulesDoc>(this.keys.schedules())) ?? { schedules: {} };
      const before = JSON.stringify(doc);
      const out = change(doc.schedules);
      if (JSON.stringify(doc) !== before) u.put(this.keys.schedules(), doc);
      return out;
    });
  }

  putSchedule(def: ScheduleDefinition, nowMs: number) {
    return this.editSchedules((all) => {
      const old = all[def.name];
      const rec: ScheduleRecord = old
        ? { ...old, ...def, updatedAtMs: nowMs, lastTickMs: Math.max(old.lastTickMs, nowMs) }
        : { ...def, createdAtMs: nowMs, updatedAtMs: nowMs, lastTickMs: nowMs, lastFiredAtMs: null, lastEventId: null, lastMissedTicks: 0 };
      all[def.name] = rec;
      return { schedule: rec, created: !old };
    });
  }

  async getSchedule(name: string): Promise<ScheduleRecord | null> {
    return (await this.listSchedules()).find((s) => s.name === name) ?? null;
  }

  async listSchedules(): Promise<ScheduleRecord[]> {
    return this.guard(async () => {
      const doc = await this.getDoc<SchedulesDoc>(this.keys.schedules());
      return Object.values(doc?.schedules ?? {}).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    });
  }

  deleteSchedule(name: string): Promise<boolean> {
    return this.editSchedules((all) => {
      if (!all[name]) return false;
      delete all[name];
      return true;
    });
  }

  setSchedulePaused(name: string, paused: boolean, nowMs: number): Promise<ScheduleRecord | null> {
    return this.editSchedules((all) => {
      const s = all[name];
      if (!s) return null;
      if (s.paused && !paused) s.lastTickMs = Math.max(s.lastTickMs, nowMs);
      Object.assign(s, { paused, updatedAtMs: nowMs });
      return s;
    });
  }

  recordScheduleFiring(name: string, fromTickMs: number, firing: ScheduleFiring): Promise<boolean> {
    return this.editSchedules((all) => {
      const s = all[name];
      if (!s || s.lastTickMs !== fromTickMs) return false;
      Object.assign(s, firing);
      return true;
    });
  }

  async addToCounter(name: string, by: number): Promise<void> {
    await this.guard(() => this.coll.binary().increment(this.keys.counter(name), by, { initial: by, durabilityLevel: this.durabilityLevel }));
  }

  async counter(name: string): Promise<number> {
    return this.guard(async () => {
      const raw = await this.getDoc<number | string>(this.keys.counter(name));
      return raw === null ? 0 : Number(raw);
    });
  }
}

/** Connects, checks credentials, bucket and scope, and answers within bootstrapTimeoutMs or says why not. */
export async function openCouchbaseStore(opts: CouchbaseOptions): Promise<CouchbaseStore> {
  const timeout = opts.bootstrapTimeoutMs ?? 5000;
  const where = `Couchbase at ${opts.connStr}`;
  let cluster: Cluster;
  try {
    cluster = await connect(opts.connStr, {
      username: opts.username, password: opts.password,
      timeouts: { bootstrapTimeout: timeout, connectTimeout: timeout, kvTimeout: 2500, kvDurableTimeout: 10_000 },
      // A node that died mid-transaction leaves its documents staged; every node looks for such lost
      // transactions often, so they are rolled back (or finished) within seconds, not a minute.
      transactions: { durabilityLevel: DURABILITY_LEVELS[opts.durability], timeout: TRANSACTION_TIMEOUT_MS, cleanupConfig: { cleanupWindow: 5_000 } },
    });
  } catch (e) {
    throw new CouchbaseOpenError(describeOpenError(e, opts, where, 'cluster'));
  }
  try {
    const scope = cluster.bucket(opts.bucket).scope(opts.scope);
    const coll = opts.scope === '_default' ? scope.collection('_default') : scope.collection('switchyard');
    const store = new CouchbaseStore(cluster, coll, opts);
    await coll.get(`${opts.keyPrefix}:meta`, { timeout }).catch((e) => { if (!(e instanceof DocumentNotFoundError)) throw e; });
    return store;
  } catch (e) {
    await cluster.close().catch(() => undefined);
    throw new CouchbaseOpenError(describeOpenError(e, opts, where, 'bucket'));
  }
}

function describeOpenError(e: unknown, opts: CouchbaseOptions, where: string, step: 'cluster' | 'bucket'): string {
  const cause = (e as Error).message;
  const timedOut = /timeout/i.test(cause) || /Timeout/.test((e as Error).constructor?.name ?? '');
  if (e instanceof AuthenticationFailureError) return `${where} refused user ${JSON.stringify(opts.username)}: wrong username or password (${cause})`;
  if (e instanceof BucketNotFoundError) return `${where} has no bucket ${JSON.stringify(opts.bucket)} (${cause})`;
  if (e instanceof ScopeNotFoundError) return `${where}: bucket ${JSON.stringify(opts.bucket)} has no scope ${JSON.stringify(opts.scope)} (${cause})`;
  if (e instanceof CollectionNotFoundError) return `${where}: scope ${JSON.stringify(opts.scope)} has no collection "switchyard" (${cause})`;
  // The cluster answered and took the credentials, but the bucket never opened: it is missing (or
  // this user may not open it). The SDK reports both as a timeout.
  if (step === 'bucket' && timedOut) return `${where} has no bucket ${JSON.stringify(opts.bucket)} that user ${JSON.stringify(opts.username)} can open (${cause})`;
  if (timedOut) return `cannot reach ${where}: no answer within ${(opts.bootstrapTimeoutMs ?? 5000) / 1000} s (${cause})`;
  return `cannot reach ${where}: ${cause}`;
}
