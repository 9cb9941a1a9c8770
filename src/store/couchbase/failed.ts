// The failed queue: filtered lists, retries (targetOnReturn) and deletes.
import { hasFieldText } from '../../fields.js';
import { retriedEntry, targetOnReturn } from '../../lifecycle/transitions.js';
import { type FailedFilter, type FailedSelection, type TaskRecord } from '../store.js';
import { type QueueDoc } from './queue-doc.js';
import { type MetaDoc, type EventDoc, type TaskDoc, TASKS_PER_TRANSACTION } from './docs.js';
import type { Unit } from './unit.js';
import { countsOfMove } from '../../lifecycle/counts.js';
import { CouchbaseArea, unshare } from './documents.js';

export class CouchbaseFailed extends CouchbaseArea {
  /** Failed tasks matching the filter, newest first: [id, time failed]. Without a reason or payload
   *  filter only the newest `upTo` of each queue are read (a page's worth), and total comes from the
   *  counts; with one, every failed task of the queues is read and tested. */
  private async failedMatching(filter: FailedFilter, upTo = Infinity): Promise<{ entries: [string, number][]; total: number; tasks?: Map<string, TaskRecord> }> {
    const meta = await this.getDoc<MetaDoc>(this.keys.meta());
    const names = filter.queue !== undefined ? [filter.queue] : meta?.queues ?? [];
    const queues = (await Promise.all(names.map((q) => this.readShards(q)))).flat();
    const plain = filter.reason === undefined && filter.search === undefined && filter.field === undefined;
    const lists = await Promise.all(queues.map((q) => this.failedNewest(q, plain ? upTo : Infinity)));
    let entries = lists.flat().map((e): [string, number] => [e.id, e.at]);
    // Newest first; equal times by id descending keeps paging stable.
    entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : 0));
    if (plain) return { entries, total: queues.reduce((n, q) => n + q.counts.failed, 0) };
    const tasks = new Map((await this.loadTasks(entries.map(([id]) => id))).map((t) => [t.taskId, t]));
    entries = entries.filter(([id]) => {
      const t = tasks.get(id);
      if (!t || t.state !== 'failed') return false;
      if (filter.reason !== undefined && !(t.failReason ?? '').includes(filter.reason)) return false;
      if (filter.search !== undefined && !JSON.stringify(t.data).includes(filter.search)) return false;
      if (filter.field !== undefined && !hasFieldText(t.data, filter.field.path, filter.field.value)) return false;
      return true;
    });
    return { entries, total: entries.length, tasks };
  }

  async listFailedTasks(filter: FailedFilter, limit: number, offset: number) {
    return this.guard(async () => {
      const { entries, total, tasks } = await this.failedMatching(filter, offset + limit);
      const page = entries.slice(offset, offset + limit).map(([id]) => id);
      const docs = tasks ? page.map((id) => tasks.get(id)!) : await this.loadTasks(page);
      return { total, tasks: docs };
    });
  }

  private async selectFailedIds(sel: FailedSelection): Promise<string[]> {
    if ('taskIds' in sel) return sel.taskIds;
    return (await this.guard(() => this.failedMatching(sel.filter))).entries.map(([id]) => id);
  }

  /** Applies change to each failed task among ids, TASKS_PER_TRANSACTION to a transaction; counts them. */
  private async eachFailed(sel: FailedSelection, change: (u: Unit, q: QueueDoc, t: TaskDoc) => Promise<void>): Promise<number> {
    const ids = await this.selectFailedIds(sel);
    let n = 0;
    for (let i = 0; i < ids.length; i += TASKS_PER_TRANSACTION) {
      n += await this.transact(async (u) => {
        let changed = 0;
        for (const t of await u.getMany<TaskDoc>(ids.slice(i, i + TASKS_PER_TRANSACTION).map((id) => this.keys.task(id)))) {
          if (!t || t.state !== 'failed') continue;
          await change(u, await this.shardOfTask(u, t), t);
          changed++;
        }
        return changed;
      });
    }
    return n;
  }

  retryFailedTasks(sel: FailedSelection, opts: { toQueue?: string; data?: Record<string, unknown> }, nowMs: number): Promise<number> {
    return this.eachFailed(sel, async (u, from, t) => {
      const toQueue = opts.toQueue ?? t.queue;
      const workerQueues = await this.workerQueues(u, t.targetWorkerId);
      const target = targetOnReturn(t.targetWorkerId, toQueue, workerQueues);
      // An edited retry's history keeps its original payload: a shared one is read, and let go.
      let original = t.data;
      if (opts.data !== undefined && t.sharedPayload) {
        const e = await u.get<EventDoc>(this.keys.event(t.eventId));
        original = e?.data ?? {};
        if (e) { unshare(e, new Set([t.taskId])); u.put(this.keys.event(t.eventId), e); }
      }
      t.history.push(retriedEntry({ ...t, data: original }, opts, target, workerQueues === null, nowMs));
      Object.assign(t, { attempts: 0, runAtMs: nowMs, workerId: null, leaseExpiresAtMs: null, failReason: null, targetWorkerId: target.targetWorkerId });
      if (opts.data !== undefined) { t.data = opts.data; delete t.sharedPayload; }
      // finishedAtMs goes last: the failed lane finds the task's entry by it.
      if (toQueue === t.queue) {
        await this.move(u, from, t, 'ready', nowMs);
        t.finishedAtMs = null;
        return;
      }
      await this.leaveFailed(u, from, t);
      t.finishedAtMs = null;
      const to = await this.queueDoc(u, toQueue, 'undeclared');
      this.count(u, [from, to], countsOfMove({ queue: from.name, state: 'failed' }, { queue: toQueue, state: 'ready' }), nowMs);
      t.queue = toQueue; t.state = 'ready';
      await this.enterWaiting(u, to, t, 'ready');
      u.put(this.keys.queue(toQueue), to);
      u.put(this.keys.task(t.taskId), t);
    });
  }

  deleteFailedTasks(sel: FailedSelection): Promise<number> {
    return this.eachFailed(sel, async (u, q, t) => {
      await this.leaveFailed(u, q, t);
      this.count(u, [q], countsOfMove({ queue: q.name, state: 'failed' }, null), 0);
      u.remove(this.keys.task(t.taskId));
      await this.releaseFromEvents(u, [t]);
    });
  }
}
