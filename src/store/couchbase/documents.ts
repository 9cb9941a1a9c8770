// What every area of the Couchbase driver works with: the connection's transaction, guard and
// reads, and the document moves inside a transaction that keep a queue's lanes, counts, totals and
// failed and finished lists exact. Areas (queues.ts, publish.ts, …) extend CouchbaseArea.
import type { QueuePolicy, TaskRecord, TaskState } from '../store.js';
import { countsOfMove, type MoveCounts } from '../../lifecycle/counts.js';
import type { CouchbaseConnection, Prefetch } from './connection.js';
import type { Keys } from './keys.js';
import { minuteOf } from './keys.js';
import { countsOverShards, countWaitingKey, newQueueDoc, newShardDoc, type QueueDoc } from './queue-doc.js';
import { dueOrder, failedOrder, FAILED_SEGMENT_MAX, Lane, readyOrder, type FailedEntry, type Segment, type SegmentIO, type WaitEntry } from './lane.js';
import type { Unit } from './unit.js';
import type { EventDoc, FailedDoc, FinishedDoc, MetaDoc, TaskDoc, WorkerDoc } from './docs.js';

/** Takes copies off an event's shared payload; the payload goes when no copy holds it. */
export function unshare(e: EventDoc, ids: Set<string>): void {
  if (!e.sharedBy) return;
  e.sharedBy = e.sharedBy.filter((id) => !ids.has(id));
  if (!e.sharedBy.length) { delete e.sharedBy; delete e.data; }
}

/** A finished task's document outlives its time to be kept by this much: pruning normally removes it
 *  first, with its counts; expiry is what removes it if no sweep does. */
const FINISHED_EXPIRY_MARGIN_S = 60;

export abstract class CouchbaseArea {
  protected readonly keys: Keys;
  constructor(protected readonly c: CouchbaseConnection) { this.keys = c.keys; }
  protected transact<T>(work: (u: Unit) => Promise<T>, prefetch?: Prefetch): Promise<T> { return this.c.transact(work, prefetch); }
  protected guard<T>(work: () => Promise<T>): Promise<T> { return this.c.guard(work); }
  protected getDoc<T>(key: string): Promise<T | null> { return this.c.getDoc<T>(key); }

  /** The queue's document; created (undeclared unless declare) and registered in meta when missing. */
  protected async queueDoc(u: Unit, name: string, create: false): Promise<QueueDoc | null>;
  protected async queueDoc(u: Unit, name: string, create: 'declared' | 'undeclared'): Promise<QueueDoc>;
  protected async queueDoc(u: Unit, name: string, create: false | 'declared' | 'undeclared'): Promise<QueueDoc | null> {
    const key = this.keys.queue(name);
    let q = await u.getForUpdate<QueueDoc>(key);
    if (!q && create) {
      q = newQueueDoc(name, create === 'declared');
      u.put(key, q);
      const meta = await u.getOrCreate<MetaDoc>(this.keys.meta(), () => ({ revision: 0, queues: [] }));
      if (!meta.queues.includes(name)) { meta.queues.push(name); u.put(this.keys.meta(), meta); }
    } else if (q && create === 'declared' && !q.declared) {
      q.declared = true;
    }
    return q;
  }

  /** A shard's document, owned; shard 0 is the head (queueDoc). A shard made here is listed in its
   *  head, the one time a node that publishes to it writes the head. */
  protected async shardDoc(u: Unit, name: string, shard: number): Promise<QueueDoc> {
    if (shard === 0) return this.queueDoc(u, name, 'undeclared');
    const key = this.keys.queue(name, shard);
    const q = await u.getForUpdate<QueueDoc>(key);
    if (q) return q;
    const head = await this.queueDoc(u, name, 'undeclared');
    if (!(head.shards ?? []).includes(shard)) { (head.shards ??= []).push(shard); u.put(this.keys.queue(name), head); }
    const made = newShardDoc(name, shard);
    u.put(key, made);
    return made;
  }

  /** The owned document of the shard a task is in. */
  protected shardOfTask(u: Unit, t: TaskRecord): Promise<QueueDoc> {
    return this.shardDoc(u, t.queue, (t as TaskDoc).shard ?? 0);
  }

  /** The policy of q's queue: a shard's is its head's (read, not owned). */
  protected async policyOf(u: Unit, q: QueueDoc): Promise<QueuePolicy> {
    if (!q.shard) return q.policy;
    return (await u.get<QueueDoc>(this.keys.queue(q.name)))!.policy;
  }

  /** Every document of a queue outside a transaction, its head first; none when it does not exist. */
  protected async readShards(name: string): Promise<QueueDoc[]> {
    const head = await this.getDoc<QueueDoc>(this.keys.queue(name));
    if (!head?.shards?.length) return head ? [head] : [];
    const rest = await Promise.all(head.shards.map((i) => this.getDoc<QueueDoc>(this.keys.queue(name, i))));
    return [head, ...rest.filter((q) => q !== null)];
  }

  /** A queue outside a transaction: its documents (head first) and its counts and totals over them;
   *  null when it does not exist. */
  protected async readQueue(name: string): Promise<{ head: QueueDoc; docs: QueueDoc[] } & ReturnType<typeof countsOverShards> | null> {
    const docs = await this.readShards(name);
    return docs.length ? { head: docs[0]!, docs, ...countsOverShards(docs) } : null;
  }

  /** Every document of every queue, heads first, read one queue at a time (for the sweeps). */
  protected async *eachShard(): AsyncGenerator<QueueDoc> {
    for (const name of await this.queueNames()) yield* await this.guard(() => this.readShards(name));
  }

  /** The queue's document, declared; created: it was not declared before this transaction. */
  protected async declareQueue(u: Unit, name: string): Promise<{ q: QueueDoc; created: boolean }> {
    const created = !(await u.getForUpdate<QueueDoc>(this.keys.queue(name)))?.declared;
    return { q: await this.queueDoc(u, name, 'declared'), created };
  }

  protected async bumpRevision(u: Unit): Promise<number> {
    const meta = await u.getOrCreate<MetaDoc>(this.keys.meta(), () => ({ revision: 0, queues: [] }));
    meta.revision++;
    u.put(this.keys.meta(), meta);
    return meta.revision;
  }

  /** Moves a task between states, keeping the queue's lanes, counts, totals and throughput exact. */
  protected async move(u: Unit, q: QueueDoc, t: TaskRecord, to: TaskState, nowMs: number): Promise<void> {
    const from = t.state;
    // Leave the old state's index.
    if (from === 'scheduled' || from === 'ready') await this.leaveWaiting(u, q, t);
    else if (from === 'started') delete q.started[t.taskId];
    else if (from === 'failed') await this.leaveFailedLane(u, q, t);
    t.state = to;
    // Enter the new one.
    if (to === 'scheduled' || to === 'ready') {
      await this.enterWaiting(u, q, t, to);
    } else if (to === 'started') {
      this.enterStarted(q, t, nowMs);
    } else if (to === 'failed') {
      await (await this.failedLane(u, q)).insert({ id: t.taskId, at: t.finishedAtMs ?? nowMs });
    } else {
      await this.addFinished(u, q, t, to, nowMs);
    }
    this.count(u, [q], countsOfMove({ queue: q.name, state: from }, { queue: q.name, state: to }), nowMs);
    u.put(this.keys.queueOf(q), q);
    u.put(this.keys.task(t.taskId), t);
  }

  /** Adds a started task to its queue's started map (the claim's concurrency and singularlyRun gates read it). */
  protected enterStarted(q: QueueDoc, t: TaskRecord, startedAtMs: number): void {
    q.started[t.taskId] = { w: t.workerId!, lease: t.leaseExpiresAtMs!, k: t.uniqueKey, sr: t.singularlyRun, at: startedAtMs };
  }

  /** Applies one move's counts (lifecycle/counts.ts) to the queue documents it names: tasks per
   *  state, work totals, and the minute's throughput (added after the commit). */
  protected count(u: Unit, docs: QueueDoc[], c: MoveCounts, nowMs: number): void {
    for (const s of c.states) docs.find((q) => q.name === s.queue)!.counts[s.state] += s.by;
    if (c.work === null) return;
    const at = c.states.at(-1)!.queue;
    docs.find((q) => q.name === at)!.totals[c.work]++;
    u.count(at, minuteOf(nowMs), c.work);
  }

  /** The queue's failed lane (oldest first), read and written through this transaction. A queue
   *  document from before failed lists were segmented has no chain: its one `:f:` list moves into
   *  segments here, in the first transaction that changes it. The caller writes q. */
  protected async failedLane(u: Unit, q: QueueDoc): Promise<Lane<FailedEntry>> {
    const io = this.segmentIO<FailedEntry>(u, q);
    if (q.failed) return new Lane(q.failed, failedOrder, io, FAILED_SEGMENT_MAX);
    const lane = new Lane(q.failed = [], failedOrder, io, FAILED_SEGMENT_MAX);
    const old = await u.get<FailedDoc>(this.keys.failed(q.name));
    if (old) {
      lane.fill(old.entries.map(([id, at]) => ({ id, at })).sort(failedOrder));
      u.remove(this.keys.failed(q.name));
    }
    return lane;
  }

  /** The queue's failed entries outside a transaction: the newest `count`, newest first (all of them
   *  when count is Infinity). */
  protected async failedNewest(q: QueueDoc, count: number): Promise<FailedEntry[]> {
    if (!q.failed) {
      const old = (await this.getDoc<FailedDoc>(this.keys.failed(q.name)))?.entries ?? [];
      return old.map(([id, at]) => ({ id, at })).sort(failedOrder).reverse().slice(0, count);
    }
    return new Lane(q.failed, failedOrder, this.readOnlyIO<FailedEntry>(q), FAILED_SEGMENT_MAX).newest(count);
  }

  /** Takes a failed task out of its queue's failed lane, found by the time it failed (finishedAtMs). */
  private async leaveFailedLane(u: Unit, q: QueueDoc, t: Pick<TaskRecord, 'taskId' | 'finishedAtMs'>): Promise<void> {
    await (await this.failedLane(u, q)).removeAt({ id: t.taskId, at: t.finishedAtMs ?? 0 });
  }

  /** Lists a succeeded or cancelled task in its minute, and has its document expire by itself. */
  private async addFinished(u: Unit, q: QueueDoc, t: TaskRecord, to: 'succeeded' | 'cancelled', nowMs: number): Promise<void> {
    const minute = minuteOf(nowMs);
    const key = this.keys.finished(q.name, minute, q.shard);
    const d = await u.getOrCreate<FinishedDoc>(key, () => ({ ids: [], of: [] }));
    // A document from before `of` keeps ids alone, so that the two never fall out of step.
    if (d.of || d.ids.length === 0) (d.of ??= []).push([t.eventId, to, t.finishedAtMs ?? nowMs]);
    d.ids.push(t.taskId);
    u.put(key, d);
    u.expireAfter(this.keys.task(t.taskId), this.c.keepFinishedSeconds + FINISHED_EXPIRY_MARGIN_S);
    if (!q.finishedMinutes.includes(minute)) { q.finishedMinutes.push(minute); q.finishedMinutes.sort((a, b) => a - b); }
  }

  /** The segments of q's lanes (waiting and failed share one numbering), through this transaction. */
  private segmentIO<E>(u: Unit, q: QueueDoc): SegmentIO<E> {
    return {
      get: (id) => u.get<Segment<E>>(this.keys.segment(q.name, id)),
      put: (id, seg) => u.put(this.keys.segment(q.name, id), seg),
      remove: (id) => u.remove(this.keys.segment(q.name, id)),
      newId: () => q.nextSegment++,
    };
  }

  /** The segments of q's lanes outside a transaction: reads only. */
  private readOnlyIO<E>(q: QueueDoc): SegmentIO<E> {
    const readOnly = () => { throw new Error('read-only lane'); };
    return { get: (id) => this.getDoc<Segment<E>>(this.keys.segment(q.name, id)), put: readOnly, remove: readOnly, newId: readOnly };
  }

  /** The queue's two lanes, their segments read and written through this transaction. */
  protected lanes(u: Unit, q: QueueDoc): { ready: Lane; scheduled: Lane } {
    const io = this.segmentIO<WaitEntry>(u, q);
    return { ready: new Lane(q.ready, readyOrder, io), scheduled: new Lane(q.scheduled, dueOrder, io) };
  }

  /** A lane to read outside a transaction (paging for status and the page). */
  protected readLane(q: QueueDoc, which: 'ready' | 'scheduled'): Lane {
    return new Lane(q[which], which === 'ready' ? readyOrder : dueOrder, this.readOnlyIO<WaitEntry>(q));
  }

  protected async enterWaiting(u: Unit, q: QueueDoc, t: TaskRecord, st: 'ready' | 'scheduled'): Promise<void> {
    if (q.shard) (t as TaskDoc).shard = q.shard; else delete (t as TaskDoc).shard;
    const e: WaitEntry = { id: t.taskId, p: t.priority, r: t.runAtMs, s: q.nextSeq++, st, w: t.targetWorkerId, k: t.uniqueKey, sr: t.singularlyRun };
    await this.lanes(u, q)[st].insert(e);
    countWaitingKey(q, e, 1);
  }

  protected async leaveWaiting(u: Unit, q: QueueDoc, t: TaskRecord): Promise<void> {
    const lane = this.lanes(u, q)[t.state as 'ready' | 'scheduled'];
    for (const e of await lane.remove([t.taskId])) countWaitingKey(q, e, -1);
  }

  /** Due scheduled tasks of q become ready (in due order, at most limit); returns how many. */
  protected async promoteDue(u: Unit, q: QueueDoc, nowMs: number, limit: number): Promise<number> {
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
  protected async addTask(u: Unit, q: QueueDoc, t: TaskRecord): Promise<void> {
    await this.enterWaiting(u, q, t, t.state as 'ready' | 'scheduled');
    this.count(u, [q], countsOfMove(null, { queue: q.name, state: t.state }), t.createdAtMs);
    u.put(this.keys.queueOf(q), q);
    u.put(this.keys.task(t.taskId), t);
  }

  /** Tasks by id, their payloads filled in; missing ones left out. */
  protected async loadTasks(ids: string[]): Promise<TaskRecord[]> {
    const out: TaskRecord[] = [];
    for (let i = 0; i < ids.length; i += 64) {
      const docs = await Promise.all(ids.slice(i, i + 64).map((id) => this.getDoc<TaskDoc>(this.keys.task(id))));
      for (const d of docs) if (d) out.push(d);
    }
    return this.withPayloads(out);
  }

  /** Copies of tasks whose shared payloads are filled in from their events' documents; a task's
   *  shard is the store's own business and stays here. */
  protected async withPayloads<T extends Pick<TaskRecord, 'eventId' | 'data'>>(stored: T[]): Promise<T[]> {
    const tasks = stored.map((t) => { if (!('shard' in t)) return t; const { shard: _, ...rest } = t as T & { shard?: number }; return rest as T; });
    const events = new Map<string, Promise<EventDoc | null>>();
    const shared = (t: T) => (t as Partial<TaskDoc>).sharedPayload === true;
    for (const t of tasks) if (shared(t) && !events.has(t.eventId)) events.set(t.eventId, this.getDoc<EventDoc>(this.keys.event(t.eventId)));
    if (!events.size) return tasks;
    const out: T[] = [];
    for (const t of tasks) {
      if (!shared(t)) { out.push(t); continue; }
      const { sharedPayload: _, ...task } = t as T & { sharedPayload?: true };
      out.push({ ...task, data: (await events.get(t.eventId))?.data ?? {} } as unknown as T);
    }
    return out;
  }

  /** Takes removed tasks out of their events' documents: an event's document, and the payload its
   *  copies shared, goes with its last task. */
  protected async releaseFromEvents(u: Unit, tasks: Pick<TaskRecord, 'taskId' | 'eventId'>[]): Promise<void> {
    const byEvent = new Map<string, Set<string>>();
    for (const t of tasks) byEvent.set(t.eventId, (byEvent.get(t.eventId) ?? new Set()).add(t.taskId));
    await Promise.all([...byEvent].map(async ([eventId, ids]) => {
      const key = this.keys.event(eventId);
      const e = await u.get<EventDoc>(key);
      if (!e) return;
      e.taskIds = e.taskIds.filter((id) => !ids.has(id));
      if (!e.taskIds.length) { u.remove(key); return; }
      unshare(e, ids);
      u.put(key, e);
    }));
  }

  protected async queueNames(): Promise<string[]> {
    return (await this.guard(() => this.getDoc<MetaDoc>(this.keys.meta())))?.queues ?? [];
  }

  /** The queues a worker serves now, or null when it does not exist (for targetOnReturn). */
  protected async workerQueues(u: Unit, workerId: string | null): Promise<string[] | null> {
    if (workerId === null) return null;
    return (await u.get<WorkerDoc>(this.keys.worker(workerId)))?.queues ?? null;
  }

  /** Takes a task out of its queue's failed list (its counts are the caller's move). */
  protected async leaveFailed(u: Unit, q: QueueDoc, t: Pick<TaskRecord, 'taskId' | 'finishedAtMs'>): Promise<void> {
    await this.leaveFailedLane(u, q, t);
    u.put(this.keys.queueOf(q), q);
  }
}
