// Reading tasks and cancelling waiting ones.
import { type TaskRecord, type TaskState } from '../store.js';
import { type QueueDoc } from './queue-doc.js';
import { type WaitEntry } from './lane.js';
import { type FailedDoc, type FinishedDoc, type EventDoc } from './docs.js';
import { CouchbaseArea } from './documents.js';

export class CouchbaseTasks extends CouchbaseArea {
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
    return this.guard(async () => (await this.loadTasks([taskId]))[0] ?? null);
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
}
