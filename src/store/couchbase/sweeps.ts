// Sweeps: promote due tasks, expire leases (planLeaseExpiry), reap idle workers, prune finished tasks.
import { planLeaseExpiry, releasedReason, targetOnReturn } from '../../lifecycle/transitions.js';
import { type TaskRecord } from '../store.js';
import { type QueueDoc } from './queue-doc.js';
import { type WorkerDoc, type FinishedDoc, TASKS_PER_TRANSACTION } from './docs.js';
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
    const idle = (await this.workers.listWorkers()).filter((w) => w.lastSeenAtMs < idleBeforeMs).slice(0, limit);
    return this.workers.removeEach(idle.map((w) => w.workerId), nowMs, 'worker timed out', idleBeforeMs);
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
          const released: TaskRecord[] = [];
          for (const [i, t] of (await u.getMany<TaskRecord>(batch.map((id) => this.keys.task(id)))).entries()) {
            if (!t || (t.state !== 'succeeded' && t.state !== 'cancelled')) continue;
            if ((t.finishedAtMs ?? 0) >= cutoff || removed >= limit - n) { keep.push(batch[i]!); continue; }
            this.count(u, [q], countsOfMove({ queue: name, state: t.state }, null), 0);
            u.remove(this.keys.task(t.taskId));
            released.push(t);
            removed++;
          }
          await this.releaseFromEvents(u, released);
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
}
