// Reading tasks and cancelling waiting ones.
import { DocumentExistsError } from 'couchbase';
import { type TaskRecord, type TaskState } from '../store.js';
import { type QueueDoc } from './queue-doc.js';
import { failedOrder, type FailedEntry, type WaitEntry } from './lane.js';
import { type FinishedDoc, type EventDoc } from './docs.js';
import { CouchbaseArea } from './documents.js';
import { EXPORTED_STATES, startedAtOf } from '../../lifecycle/imports.js';
import { countsOfImport } from '../../lifecycle/counts.js';

/** Job ids come from one counter in blocks, so most ids cost no round trip to it; a node that stops
 *  leaves the rest of its block unused (ids need only be unique). */
const JOB_ID_BLOCK = 100;
/** The id documents go by themselves a while after their task is normally long finished. */
const JOB_ID_EXPIRY_S = 30 * 86_400;

export class CouchbaseTasks extends CouchbaseArea {
  private jobIds = { next: 0, end: 0 };

  private async nextJobId(): Promise<number> {
    if (this.jobIds.next >= this.jobIds.end) {
      const r = await this.c.coll.binary().increment(this.keys.counter('job-ids'), JOB_ID_BLOCK, { initial: JOB_ID_BLOCK, durabilityLevel: this.c.durabilityLevel });
      const last = Number(r.value);
      this.jobIds = { next: last - JOB_ID_BLOCK + 1, end: last + 1 };
    }
    return this.jobIds.next++;
  }

  jobIdsOf(taskIds: readonly string[]): Promise<(number | null)[]> {
    return this.guard(() => Promise.all(taskIds.map(async (taskId) => {
      const known = await this.getDoc<{ jobId: number }>(this.keys.jobOfTask(taskId));
      if (known) return known.jobId;
      if (!(await this.getDoc<TaskRecord>(this.keys.task(taskId)))) return null;
      // The id's document first, then the task's: of two nodes naming one task at once, the one
      // whose insert of the task's document loses takes the winner's id and drops its own.
      const jobId = await this.nextJobId();
      const opts = { expiry: JOB_ID_EXPIRY_S, durabilityLevel: this.c.durabilityLevel };
      await this.c.coll.insert(this.keys.job(jobId), { taskId }, opts);
      try {
        await this.c.coll.insert(this.keys.jobOfTask(taskId), { jobId }, opts);
        return jobId;
      } catch (e) {
        if (!(e instanceof DocumentExistsError)) throw e;
        await this.c.removeDocs([this.keys.job(jobId)]);
        return (await this.getDoc<{ jobId: number }>(this.keys.jobOfTask(taskId)))?.jobId ?? null;
      }
    })));
  }

  taskOfJobId(jobId: number): Promise<string | null> {
    return this.guard(async () => (await this.getDoc<{ taskId: string }>(this.keys.job(jobId)))?.taskId ?? null);
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
        const q = await this.shardOfTask(u, t);
        t.finishedAtMs = nowMs;
        t.history.push({ atMs: nowMs, what: 'cancelled' });
        await this.move(u, q, t, 'cancelled', nowMs);
        cancelled++;
      }
      return { cancelled };
    });
  }

  async getTask(taskId: string): Promise<TaskRecord | null> {
    return this.guard(async () => (await this.loadTasks([taskId]))[0] ?? null);
  }

  getTasks(taskIds: readonly string[]): Promise<TaskRecord[]> {
    return this.guard(() => this.loadTasks([...taskIds]));
  }

  async listExportedTaskIds(queue: string): Promise<string[]> {
    return this.guard(async () => {
      const ids: string[] = [];
      for (const q of await this.readShards(queue)) {
        ids.push(...Object.keys(q.started));
        for (const lane of ['ready', 'scheduled'] as const) await this.readLane(q, lane).scan((e) => void ids.push(e.id));
        for (const e of await this.failedNewest(q, Infinity)) ids.push(e.id);
      }
      return ids.sort();
    });
  }

  importTasks(tasks: readonly TaskRecord[], nowMs: number): Promise<{ imported: number } | { existing: string[] }> {
    return this.transact(async (u) => {
      const found = await u.getMany<TaskRecord>(tasks.map((t) => this.keys.task(t.taskId)));
      const existing = tasks.filter((_, i) => found[i] !== null).map((t) => t.taskId);
      if (existing.length) return { existing };
      const queues = new Map<string, QueueDoc>();
      for (const name of new Set(tasks.map((t) => t.queue))) queues.set(name, await this.queueDoc(u, name, 'undeclared'));
      const failed = new Map<QueueDoc, FailedEntry[]>();
      for (const t of tasks) {
        if (!EXPORTED_STATES.includes(t.state)) throw new Error(`cannot import a ${t.state} task`);
        const q = queues.get(t.queue)!;
        if (t.state === 'ready' || t.state === 'scheduled') await this.enterWaiting(u, q, t, t.state);
        else if (t.state === 'started') this.enterStarted(q, t, startedAtOf(t, nowMs));
        else failed.set(q, [...failed.get(q) ?? [], { id: t.taskId, at: t.finishedAtMs ?? nowMs }]);
        this.count(u, [q], countsOfImport({ queue: t.queue, state: t.state }), nowMs);
        u.put(this.keys.task(t.taskId), t);
        const e = await u.getOrCreate<EventDoc>(this.keys.event(t.eventId), () => ({ taskIds: [] }));
        e.taskIds.push(t.taskId);
        u.put(this.keys.event(t.eventId), e);
      }
      for (const [q, entries] of failed) {
        const lane = await this.failedLane(u, q);
        for (const e of entries) await lane.insert(e);
      }
      for (const q of queues.values()) u.put(this.keys.queue(q.name), q);
      return { imported: tasks.length };
    });
  }

  /** A page of a queue's tasks in one state, newest first, over all its shards: waiting ones by
   *  arrival (sequence in one shard, time-ordered id across shards), failed by time failed, finished
   *  by minute. */
  async listTasks(queue: string, state: TaskState, limit: number, offset: number) {
    return this.guard(async () => {
      const read = await this.readQueue(queue);
      if (!read) return { total: 0, tasks: [] };
      const { docs } = read;
      const total = read.counts[state];
      let ids: string[];
      if (state === 'ready' || state === 'scheduled') {
        const entries: WaitEntry[] = [];
        for (const q of docs) await this.readLane(q, state).scan((e) => void entries.push(e));
        ids = entries.sort(docs.length === 1 ? (a, b) => a.s - b.s : (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((e) => e.id);
      }
      else if (state === 'started') ids = docs.flatMap((q) => Object.keys(q.started));
      else if (state === 'failed') {
        const newest = (await Promise.all(docs.map((q) => this.failedNewest(q, offset + limit)))).flat();
        newest.sort((a, b) => failedOrder(b, a));
        return { total, tasks: await this.loadTasks(newest.slice(offset, offset + limit).map((e) => e.id)) };
      }
      else {
        // Finished minutes, newest first, until the page is full.
        const tasks: TaskRecord[] = [];
        let skip = offset;
        const minutes = docs.flatMap((q) => q.finishedMinutes.map((m) => [m, q.shard ?? 0] as const)).sort((a, b) => b[0] - a[0]);
        for (const [minute, shard] of minutes) {
          if (tasks.length >= limit) break;
          const d = await this.getDoc<FinishedDoc>(this.keys.finished(queue, minute, shard));
          const found = await this.loadTasks([...(d?.ids ?? [])].reverse());
          for (const t of found) {
            if (t.state !== state) continue;
            if (skip > 0) { skip--; continue; }
            if (tasks.length < limit) tasks.push(t);
          }
        }
        return { total, tasks };
      }
      // Newest first, like SQLite's arrival order descending.
      const page = ids.reverse().slice(offset, offset + limit);
      return { total, tasks: await this.loadTasks(page) };
    });
  }
}
