// Interests, queue policy, deleting and purging a queue.
import { DEFAULT_POLICY, type InterestChange, type InterestChangeBy, type InterestMap, type QueuePolicy, type TaskRecord } from '../store.js';
import type { Unit } from './unit.js';
import { countWaitingKey, type QueueDoc } from './queue-doc.js';
import type { WaitEntry } from './lane.js';
import { type MetaDoc, TASKS_PER_TRANSACTION } from './docs.js';
import { countsOfMove } from '../../lifecycle/counts.js';
import { CouchbaseArea } from './documents.js';

/** Changes kept per queue: its document stays small however often the interests change. */
const INTEREST_HISTORY_KEPT = 1000;

export class CouchbaseQueues extends CouchbaseArea {
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

  setInterests(queue: string, interests: InterestMap, nowMs: number, by: InterestChangeBy = { who: null }) {
    return this.transact(async (u) => {
      const { q, created } = await this.declareQueue(u, queue);
      q.interests = interests;
      u.put(this.keys.queue(queue), q);
      const revision = await this.bumpRevision(u);
      await this.addChange(u, { queue, revision, interests, who: by.who, atMs: nowMs, rollbackOf: by.rollbackOf ?? null });
      return { revision, created };
    });
  }

  removeInterests(queue: string, nowMs: number, by: InterestChangeBy = { who: null }): Promise<boolean> {
    return this.transact(async (u) => {
      const q = await this.queueDoc(u, queue, false);
      if (!q || !q.declared) return false;
      if (q.interests !== null) {
        const revision = await this.dropInterests(u, q);
        await this.addChange(u, { queue, revision, interests: null, who: by.who, atMs: nowMs, rollbackOf: by.rollbackOf ?? null });
      }
      return true;
    });
  }

  /** Inside a transaction: the queue routes nothing from now on (every node sees the new revision). */
  private async dropInterests(u: Unit, q: QueueDoc): Promise<number> {
    q.interests = null;
    u.put(this.keys.queue(q.name), q);
    return this.bumpRevision(u);
  }

  private async addChange(u: Unit, change: InterestChange): Promise<void> {
    const key = this.keys.interestHistory(change.queue);
    const doc = await u.getOrCreate<{ changes: InterestChange[] }>(key, () => ({ changes: [] }));
    doc.changes = [...doc.changes, change].slice(-INTEREST_HISTORY_KEPT);
    u.put(key, doc);
  }

  /** The queue's kept changes, oldest first. */
  private async changesOf(queue: string): Promise<InterestChange[]> {
    return (await this.guard(() => this.getDoc<{ changes: InterestChange[] }>(this.keys.interestHistory(queue))))?.changes ?? [];
  }

  async interestHistory(queue: string, limit: number, offset: number) {
    const changes = (await this.changesOf(queue)).reverse();
    return { total: changes.length, changes: changes.slice(offset, offset + limit) };
  }

  async interestChange(queue: string, revision: number): Promise<InterestChange | null> {
    return (await this.changesOf(queue)).find((c) => c.revision === revision) ?? null;
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

  /** Empties the queue's waiting lanes (each shard's, the head's last) and, for a delete, undeclares
   *  it. null: no such queue. Each transaction takes up to TASKS_PER_TRANSACTION tasks out of the
   *  lanes, the counts and their events and removes their documents, all at once: a node that dies
   *  part way leaves some tasks purged and the rest waiting, never a task that says it waits but is in
   *  no lane (as when the lanes were emptied in one transaction and the documents removed after it).
   *  The tasks purged are those that waited when it began (by arrival sequence), so a queue that keeps
   *  being published to ends. */
  private async removeWaiting(queue: string, what: 'queue too' | 'waiting only'): Promise<number | null> {
    // A delete clears the interests first: publishes between its transactions route past the queue
    // instead of leaving tasks in it once it is gone.
    if (what === 'queue too') await this.transact(async (u) => {
      const q = await this.queueDoc(u, queue, false);
      if (q?.declared && q.interests !== null) await this.dropInterests(u, q);
    });
    const shards = (await this.guard(() => this.readShards(queue))).map((q) => q.shard ?? 0).reverse();
    let removed = 0;
    for (const shard of shards.slice(0, -1)) removed += await this.removeWaitingOf(queue, shard, 'waiting only') ?? 0;
    const fromHead = await this.removeWaitingOf(queue, 0, what);
    return fromHead === null && removed === 0 ? null : removed + (fromHead ?? 0);
  }

  /** removeWaiting in one shard of the queue; null: the queue does not exist (or, for the head, is
   *  undeclared and has nothing waiting). */
  private async removeWaitingOf(queue: string, shard: number, what: 'queue too' | 'waiting only'): Promise<number | null> {
    let before: number | null = null;
    let removed = 0;
    for (;;) {
      const step = await this.transact(async (u) => {
        const q = shard === 0 ? await this.queueDoc(u, queue, false) : await this.shardDoc(u, queue, shard);
        if (!q || (before === null && !q.declared && q.ready.length === 0 && q.scheduled.length === 0)) return null;
        const since = before ?? q.nextSeq;
        const lanes = this.lanes(u, q);
        const taken: WaitEntry[] = [];
        for (const lane of [lanes.ready, lanes.scheduled]) {
          const ids: string[] = [];
          await lane.scan((e) => (taken.length + ids.length >= TASKS_PER_TRANSACTION ? false : void (e.s < since && ids.push(e.id))));
          taken.push(...await lane.remove(ids));
        }
        for (const e of taken) {
          this.count(u, [q], countsOfMove({ queue, state: e.st }, null), 0);
          countWaitingKey(q, e, -1);
        }
        const keys = taken.map((e) => this.keys.task(e.id));
        await this.releaseFromEvents(u, (await u.getMany<TaskRecord>(keys)).filter((t) => t !== null));
        for (const key of keys) u.remove(key);
        const last = taken.length < TASKS_PER_TRANSACTION;
        if (last && what === 'queue too') {
          // Started and failed tasks still name the queue: keep its document, undeclared, for them.
          Object.assign(q, { declared: false, interests: null, policy: { ...DEFAULT_POLICY }, rate: null });
          await this.bumpRevision(u);
        }
        u.put(this.keys.queueOf(q), q);
        return { since, n: taken.length, last };
      });
      if (step === null) return before === null ? null : removed;
      before = step.since;
      removed += step.n;
      if (step.last) return removed;
    }
  }
}
