// Workers: register, read, remove (planWorkerRemoval), one transaction per worker.
import { timeOrderedId } from '../../ids.js';
import { planWorkerRemoval, removedCopyReason } from '../../lifecycle/transitions.js';
import { type TaskRecord, type WorkerRecord, type WorkersRemoved } from '../store.js';
import { shardsOf, type QueueDoc } from './queue-doc.js';
import { type WorkerDoc } from './docs.js';
import { CouchbaseArea } from './documents.js';
import type { Unit } from './unit.js';

export class CouchbaseWorkers extends CouchbaseArea {
  registerWorker(name: string, queues: string[], nowMs: number): Promise<WorkerRecord> {
    // Every node's registrations write the registry and their queues' heads: read in one round trip
    // and owned in key order like a publish's queues, not one after another as the loop reaches them.
    const contended = [this.keys.workers(), ...queues.map((q) => this.keys.queue(q))];
    return this.transact(async (u) => {
      const workerId = timeOrderedId();
      const w: WorkerDoc = { workerId, name, queues, registeredAtMs: nowMs, lastSeenAtMs: nowMs, tasksDone: 0, tasks: [] };
      u.put(this.keys.worker(workerId), w);
      const reg = await u.getOrCreate<{ ids: string[] }>(this.keys.workers(), () => ({ ids: [] }));
      reg.ids.push(workerId);
      u.put(this.keys.workers(), reg);
      for (const queue of queues) {
        const q = await this.queueDoc(u, queue, 'undeclared');
        if (!q.workers.includes(workerId)) q.workers.push(workerId);
        u.put(this.keys.queue(queue), q);
      }
      return { ...w };
    }, { read: contended, own: () => Promise.resolve(contended) });
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

  async countWorkers(): Promise<number> {
    return this.guard(async () => (await this.getDoc<{ ids: string[] }>(this.keys.workers()))?.ids.length ?? 0);
  }

  async removeWorkers(sel: { workerId: string } | { queue: string }, nowMs: number) {
    let ids: string[];
    if ('workerId' in sel) ids = [sel.workerId];
    else ids = (await this.guard(() => this.getDoc<QueueDoc>(this.keys.queue(sel.queue))))?.workers ?? [];
    return this.removeEach(ids, nowMs, 'worker removed', null);
  }

  async removeEach(ids: string[], nowMs: number, why: string, idleBeforeMs: number | null): Promise<WorkersRemoved> {
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
        const head = await this.queueDoc(u, queue, 'undeclared');
        head.workers = head.workers.filter((id) => id !== workerId);
        u.put(this.keys.queue(queue), head);
        for (const shard of shardsOf(head)) {
          const q = shard === 0 ? head : await u.get<QueueDoc>(this.keys.queue(queue, shard));
          if (!q) continue;
          const r = await this.releaseTasksOf(u, q, workerId, why, nowMs);
          tasksReturned += r.returned; tasksCancelled += r.cancelled;
        }
      }
      const reg = await u.getOrCreate<{ ids: string[] }>(this.keys.workers(), () => ({ ids: [] }));
      reg.ids = reg.ids.filter((id) => id !== workerId);
      u.put(this.keys.workers(), reg);
      u.remove(this.keys.worker(workerId));
      return { workers: 1, tasksReturned, tasksCancelled };
    });
  }

  /** A removed worker's tasks in one shard: started ones back to ready, copies made for it cancelled.
   *  The shard is owned only when it holds some: a shard read is not staged, so other nodes' work on
   *  the rest goes on. */
  private async releaseTasksOf(u: Unit, q: QueueDoc, workerId: string, why: string, nowMs: number): Promise<{ returned: number; cancelled: number }> {
    let returned = 0; let cancelled = 0;
    const mine = Object.entries(q.started).filter(([, s]) => s.w === workerId).map(([id]) => id);
    const lanes = this.lanes(u, q);
    for (const lane of [lanes.ready, lanes.scheduled]) await lane.scan((e) => void (e.w === workerId && mine.push(e.id)));
    if (mine.length) await u.getForUpdate(this.keys.queueOf(q));
    for (const t of await u.getMany<TaskRecord>(mine.map((id) => this.keys.task(id)))) {
      if (!t) continue;
      const plan = planWorkerRemoval(t, workerId);
      if (plan === 'cancel') {
        t.workerId = null; t.leaseExpiresAtMs = null; t.finishedAtMs = nowMs;
        t.history.push({ atMs: nowMs, what: 'cancelled', workerId, reason: removedCopyReason(why) });
        await this.move(u, q, t, 'cancelled', nowMs);
        cancelled++;
      } else if (plan === 'return') {
        t.workerId = null; t.leaseExpiresAtMs = null;
        t.history.push({ atMs: nowMs, what: 'returned', workerId, reason: why });
        await this.move(u, q, t, 'ready', nowMs);
        returned++;
      }
    }
    return { returned, cancelled };
  }
}
