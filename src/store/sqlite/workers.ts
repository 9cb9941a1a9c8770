// Workers: register, read, remove (planWorkerRemoval as two UPDATEs).
import { timeOrderedId } from '../../ids.js';
import { removedCopyReason } from '../../lifecycle/transitions.js';
import type { WorkerRecord, WorkersRemoved } from '../store.js';
import { toWorker, entry, type WorkerRow } from './rows.js';
import { SqliteArea, type Prepare, type SqliteConnection } from './connection.js';

/** The statements this area prepares, besides the connection's shared ones. */
const statements = (p: Prepare) => ({
  insertWorker: p(`INSERT INTO workers (worker_id, name, queues, registered_at_ms, last_seen_at_ms) VALUES (?, ?, ?, ?, ?)`),
  insertWorkerQueue: p(`INSERT OR IGNORE INTO worker_queues (queue, worker_id) VALUES (?, ?)`),
  allWorkers: p(`SELECT * FROM workers ORDER BY registered_at_ms, worker_id`),
  startedOfWorker: p(`SELECT task_id FROM tasks WHERE state = 'started' AND worker_id = ? ORDER BY seq`).pluck(),
  // By worker, then arrival: the order of tasks_worker, which holds only started tasks (ORDER BY seq
  // alone made SQLite walk every task in the table).
  allStarted: p(`SELECT worker_id, task_id FROM tasks WHERE state = 'started' ORDER BY worker_id, seq`),
  returnTasksOfWorker: p(`UPDATE tasks SET state = 'ready', worker_id = NULL, lease_expires_at_ms = NULL, updated_at_ms = @nowMs,
    history = json_insert(history, '$[#]', json(@entry))
    WHERE state = 'started' AND worker_id = @workerId AND target_worker_id IS NULL RETURNING queue`).pluck(),
  cancelTargetedOfWorker: p(`UPDATE tasks SET state = 'cancelled', worker_id = NULL, lease_expires_at_ms = NULL,
    finished_at_ms = @nowMs, updated_at_ms = @nowMs, history = json_insert(history, '$[#]', json(@entry))
    WHERE target_worker_id = @workerId AND state = @state RETURNING queue`).pluck(),
  deleteWorker: p(`DELETE FROM workers WHERE worker_id = ?`),
  // By its key, one row per queue of the worker: WHERE worker_id alone walked every worker's rows.
  deleteWorkerQueue: p(`DELETE FROM worker_queues WHERE queue = ? AND worker_id = ?`),
  count: p(`SELECT count(*) FROM workers`).pluck(),
});

export class SqliteWorkers extends SqliteArea<ReturnType<typeof statements>> {
  constructor(c: SqliteConnection) {
    super(c, statements);
  }

  registerWorker(name: string, queues: string[], nowMs: number): Promise<WorkerRecord> {
    return this.write(() => {
      const workerId = timeOrderedId();
      this.st.insertWorker.run(workerId, name, JSON.stringify(queues), nowMs, nowMs);
      for (const q of queues) this.st.insertWorkerQueue.run(q, workerId);
      return { workerId, name, queues, registeredAtMs: nowMs, lastSeenAtMs: nowMs, tasksDone: 0, tasks: [] };
    });
  }

  getWorker(workerId: string): Promise<WorkerRecord | null> {
    return this.run(() => {
      const w = this.st.worker.get(workerId) as WorkerRow | undefined;
      return w ? toWorker(w, this.st.startedOfWorker.all(workerId) as string[]) : null;
    });
  }

  listWorkers(): Promise<WorkerRecord[]> {
    return this.run(() => this.db.transaction(() => {
      const started = new Map<string, string[]>();
      for (const r of this.st.allStarted.all() as { worker_id: string; task_id: string }[]) {
        // Appended in place: copying the list per task was quadratic (2.7 s for 20,000 on one worker).
        const list = started.get(r.worker_id);
        if (list) list.push(r.task_id); else started.set(r.worker_id, [r.task_id]);
      }
      return (this.st.allWorkers.all() as WorkerRow[]).map((w) => toWorker(w, started.get(w.worker_id) ?? []));
    })());
  }

  countWorkers(): Promise<number> {
    return this.run(() => this.st.count.get() as number);
  }

  removeWorkers(sel: { workerId: string } | { queue: string }, nowMs: number) {
    return this.write(() => {
      const ids = 'workerId' in sel
        ? (this.st.worker.get(sel.workerId) ? [sel.workerId] : [])
        : (this.st.workersOfQueue.all(sel.queue) as string[]);
      return this.removeWorkerIds(ids, nowMs, 'worker removed');
    });
  }

  /** Inside a write transaction: planWorkerRemoval as two UPDATEs (their WHERE clauses are its two
   *  cases): started tasks go back to ready, copies made for the worker are cancelled. */
  removeWorkerIds(ids: string[], nowMs: number, why: string): WorkersRemoved {
    let tasksReturned = 0; let tasksCancelled = 0;
    for (const workerId of ids) {
      for (const queue of this.st.returnTasksOfWorker.all({ workerId, nowMs, entry: entry({ atMs: nowMs, what: 'returned', workerId, reason: why }) }) as string[]) {
        this.countMoves({ queue, state: 'started' }, { queue, state: 'ready' }, nowMs);
        tasksReturned++;
      }
      // One statement per state, so each copy's move is counted from the state it was in.
      for (const state of ['scheduled', 'ready', 'started'] as const) {
        const cancelled = { atMs: nowMs, what: 'cancelled', workerId, reason: removedCopyReason(why) };
        for (const queue of this.st.cancelTargetedOfWorker.all({ workerId, state, nowMs, entry: entry(cancelled) }) as string[]) {
          this.countMoves({ queue, state }, { queue, state: 'cancelled' }, nowMs);
          tasksCancelled++;
        }
      }
      for (const queue of this.workerQueues(workerId) ?? []) this.st.deleteWorkerQueue.run(queue, workerId);
      this.st.deleteWorker.run(workerId);
    }
    return { workers: ids.length, tasksReturned, tasksCancelled };
  }

  /** The queues a worker serves now, or null when it does not exist (for targetOnReturn). */
  workerQueues(workerId: string | null): string[] | null {
    if (workerId === null) return null;
    const w = this.st.worker.get(workerId) as WorkerRow | undefined;
    return w ? JSON.parse(w.queues) : null;
  }
}
