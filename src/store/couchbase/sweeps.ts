// Sweeps: promote due tasks, expire leases (planLeaseExpiry), reap idle workers, prune finished tasks.
import { planLeaseExpiry, releasedReason, targetOnReturn } from '../../lifecycle/transitions.js';
import { type TaskRecord } from '../store.js';
import { type QueueDoc } from './queue-doc.js';
import { type WorkerDoc, type FinishedDoc, type FinishedFacts, TASKS_PER_TRANSACTION } from './docs.js';
import type { Unit } from './unit.js';
import { countsOfMove } from '../../lifecycle/counts.js';
import { CouchbaseArea } from './documents.js';
import type { CouchbaseConnection } from './connection.js';
import type { CouchbaseWorkers } from './workers.js';

export class CouchbaseSweeps extends CouchbaseArea {
  constructor(c: CouchbaseConnection, private readonly workers: CouchbaseWorkers) {
    super(c);
  }

  async promoteDueTasks(nowMs: number, limit: number): Promise<number> {
    let n = 0;
    for await (const peek of this.eachShard()) {
      if (n >= limit) break;
      if (!(peek.scheduled[0]?.first.r! <= nowMs)) continue;
      n += await this.transact(async (u) => this.promoteDue(u, await this.shardDoc(u, peek.name, peek.shard ?? 0), nowMs, Math.min(limit - n, TASKS_PER_TRANSACTION)));
    }
    return n;
  }

  async expireLeases(nowMs: number, limit: number) {
    let returned = 0; let failed = 0;
    for await (const peek of this.eachShard()) {
      if (returned + failed >= limit) break;
      if (!Object.values(peek.started).some((s) => s.lease < nowMs)) continue;
      const r = await this.transact(async (u) => {
        const q = await this.shardDoc(u, peek.name, peek.shard ?? 0);
        const policy = await this.policyOf(u, q);
        const expired = Object.entries(q.started).filter(([, s]) => s.lease < nowMs).slice(0, TASKS_PER_TRANSACTION).map(([id]) => id);
        let back = 0; let out = 0;
        for (const t of await u.getMany<TaskRecord>(expired.map((id) => this.keys.task(id)))) {
          if (!t || t.state !== 'started') continue;
          const plan = planLeaseExpiry(t, policy.maxAttempts, nowMs);
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
    const idle = (await this.workers.listWorkers()).filter((w) => w.lastSeenAtMs < idleBeforeMs).slice(0, limit);
    return this.workers.removeEach(idle.map((w) => w.workerId), nowMs, 'worker timed out', idleBeforeMs);
  }

  /** Old succeeded and cancelled tasks leave their counts, events and minute in a transaction that
   *  reads none of them (their minute says what it needs), then their documents go by plain removes:
   *  a task whose document expired by itself first (see addFinished) is counted out all the same. */
  async pruneFinishedTasks(nowMs: number, keepFinishedMs: number, limit: number): Promise<number> {
    const cutoff = nowMs - keepFinishedMs;
    let n = 0;
    for await (const peek of this.eachShard()) {
      for (const minute of peek.finishedMinutes.filter((m) => m < cutoff)) {
        if (n >= limit) return n;
        const pruned = await this.transact(async (u) => {
          const q = await this.shardDoc(u, peek.name, peek.shard ?? 0);
          const key = this.keys.finished(peek.name, minute, q.shard);
          const d = (await u.get<FinishedDoc>(key)) ?? { ids: [] };
          const batch = d.ids.slice(0, TASKS_PER_TRANSACTION);
          const facts = d.of?.slice(0, batch.length) ?? await this.factsOfTasks(u, batch);
          const keep: number[] = [];
          const released: Pick<TaskRecord, 'taskId' | 'eventId'>[] = [];
          for (const [i, f] of facts.entries()) {
            if (!f) continue; // a document from before `of` whose task is already gone
            const [eventId, state, finishedAtMs] = f;
            if (finishedAtMs >= cutoff || released.length >= limit - n) { keep.push(i); continue; }
            this.count(u, [q], countsOfMove({ queue: peek.name, state }, null), 0);
            released.push({ taskId: batch[i]!, eventId });
          }
          await this.releaseFromEvents(u, released);
          d.ids = [...keep.map((i) => batch[i]!), ...d.ids.slice(batch.length)];
          if (d.of) d.of = [...keep.map((i) => d.of![i]!), ...d.of.slice(batch.length)];
          if (d.ids.length) u.put(key, d);
          else { u.remove(key); q.finishedMinutes = q.finishedMinutes.filter((m) => m !== minute); }
          u.put(this.keys.queueOf(q), q);
          return released.map((t) => t.taskId);
        });
        // Out of every list already: removing the documents is tidying that is safe to repeat.
        await this.guard(() => this.c.removeDocs(pruned.map((id) => this.keys.task(id))));
        n += pruned.length;
      }
    }
    return n;
  }

  /** What a minute from before `of` does not say, read from its tasks (null: the task is gone). */
  private async factsOfTasks(u: Unit, ids: string[]): Promise<(FinishedFacts | null)[]> {
    return (await u.getMany<TaskRecord>(ids.map((id) => this.keys.task(id)))).map((t) =>
      (t && (t.state === 'succeeded' || t.state === 'cancelled') ? [t.eventId, t.state, t.finishedAtMs ?? 0] : null));
  }
}
