// Reading tasks and cancelling waiting ones.
import type { TaskRecord, TaskState } from '../store.js';
import { toTask, entry, fromOldestEnd, TASK_COLUMNS, type TaskRow } from './rows.js';
import { WAITING_STATES } from '../../lifecycle/states.js';
import { EXPORTED_STATES, startedAtOf } from '../../lifecycle/imports.js';
import { countsOfImport } from '../../lifecycle/counts.js';
import { SqliteArea, type Prepare, type SqliteConnection } from './connection.js';

/** The statements this area prepares, besides the connection's shared ones. */
const statements = (p: Prepare) => ({
  cancelTask: p(`UPDATE tasks SET state = 'cancelled', finished_at_ms = @nowMs, updated_at_ms = @nowMs,
    history = json_insert(history, '$[#]', json(@entry)) WHERE task_id = @taskId AND state IN ('scheduled', 'ready')`),
  cancelEvent: p(`UPDATE tasks SET state = 'cancelled', finished_at_ms = @nowMs, updated_at_ms = @nowMs,
    history = json_insert(history, '$[#]', json(@entry)) WHERE event_id = @eventId AND state = @state RETURNING queue`).pluck(),
  eventExists: p(`SELECT 1 FROM tasks WHERE event_id = ? LIMIT 1`).pluck(),
  listTasks: p(`SELECT ${TASK_COLUMNS} FROM tasks WHERE queue = ? AND state = ? ORDER BY seq DESC LIMIT ? OFFSET ?`),
  listTasksOldestFirst: p(`SELECT ${TASK_COLUMNS} FROM tasks WHERE queue = ? AND state = ? ORDER BY seq LIMIT ? OFFSET ?`),
  exportedIds: p(`SELECT task_id FROM tasks WHERE queue = ? AND state IN (${EXPORTED_STATES.map((s) => `'${s}'`).join(', ')}) ORDER BY task_id`).pluck(),
  // A task's arrival number is its job id: unique in the file, and every node shares the file.
  seqOf: p(`SELECT seq FROM tasks WHERE task_id = ?`).pluck(),
  taskOfSeq: p(`SELECT task_id FROM tasks WHERE seq = ?`).pluck(),
  importTask: p(`INSERT INTO tasks (task_id, event_id, queue, publisher, data, state, priority, run_at_ms, created_at_ms, attempts,
      max_attempts, unique_key, singularly_run, target_worker_id, worker_id, lease_expires_at_ms, finished_at_ms, updated_at_ms,
      fail_reason, result, route, history, started_at_ms, traceparent, push_url)
    VALUES (@taskId, @eventId, @queue, @publisher, @data, @state, @priority, @runAtMs, @createdAtMs, @attempts, @maxAttempts,
      @uniqueKey, @singularlyRun, @targetWorkerId, @workerId, @leaseExpiresAtMs, @finishedAtMs, @nowMs, @failReason, @result,
      @route, @history, @startedAtMs, @traceparent, @pushUrl)`),
});

export class SqliteTasks extends SqliteArea<ReturnType<typeof statements>> {
  constructor(c: SqliteConnection) {
    super(c, statements);
  }

  cancelWaitingTasks(sel: { taskId: string } | { eventId: string }, nowMs: number) {
    return this.write((): { cancelled: number } | 'not_waiting' | null => {
      const e = entry({ atMs: nowMs, what: 'cancelled' });
      if ('taskId' in sel) {
        const row = this.st.taskById.get(sel.taskId) as TaskRow | undefined;
        if (!row) return null;
        if (row.state !== 'scheduled' && row.state !== 'ready') return 'not_waiting';
        const cancelled = this.st.cancelTask.run({ taskId: sel.taskId, nowMs, entry: e }).changes;
        this.countMoves({ queue: row.queue, state: row.state }, { queue: row.queue, state: 'cancelled' }, nowMs, cancelled);
        return { cancelled };
      }
      // One statement per state left, so each copy's move is counted from the state it was in.
      let cancelled = 0;
      for (const state of WAITING_STATES) {
        for (const queue of this.st.cancelEvent.all({ eventId: sel.eventId, state, nowMs, entry: e }) as string[]) {
          this.countMoves({ queue, state }, { queue, state: 'cancelled' }, nowMs);
          cancelled++;
        }
      }
      if (cancelled === 0 && !this.st.eventExists.get(sel.eventId)) return null;
      return { cancelled };
    });
  }

  getTask(taskId: string): Promise<TaskRecord | null> {
    return this.run(() => {
      const row = this.st.taskById.get(taskId) as TaskRow | undefined;
      return row ? toTask(row) : null;
    });
  }

  getTasks(taskIds: readonly string[]): Promise<TaskRecord[]> {
    return this.run(() => taskIds.map((id) => this.st.taskById.get(id) as TaskRow | undefined).filter((r) => r !== undefined).map(toTask));
  }

  listExportedTaskIds(queue: string): Promise<string[]> {
    return this.run(() => this.st.exportedIds.all(queue) as string[]);
  }

  importTasks(tasks: readonly TaskRecord[], nowMs: number) {
    return this.write((): { imported: number } | { existing: string[] } => {
      const existing = tasks.filter((t) => this.st.seqOf.get(t.taskId) !== undefined).map((t) => t.taskId);
      if (existing.length) return { existing };
      for (const t of tasks) {
        this.st.importTask.run({
          ...t, data: JSON.stringify(t.data), singularlyRun: t.singularlyRun ? 1 : 0, result: t.result === null ? null : JSON.stringify(t.result),
          route: JSON.stringify(t.route), history: JSON.stringify(t.history), startedAtMs: t.state === 'started' ? startedAtOf(t, nowMs) : null, nowMs,
        });
        this.applyCounts(countsOfImport({ queue: t.queue, state: t.state }), nowMs);
      }
      return { imported: tasks.length };
    });
  }

  jobIdsOf(taskIds: readonly string[]): Promise<(number | null)[]> {
    return this.run(() => taskIds.map((id) => (this.st.seqOf.get(id) as number | undefined) ?? null));
  }

  taskOfJobId(jobId: number): Promise<string | null> {
    return this.run(() => (this.st.taskOfSeq.get(jobId) as string | undefined) ?? null);
  }

  /** A page in the older half (beanstalkd's peek-ready asks for the very last) is read from the
   *  oldest end, so it costs its own rows, not the queue's. */
  listTasks(queue: string, state: TaskState, limit: number, offset: number) {
    return this.run(() => this.db.transaction(() => {
      const total = (this.st.countInState.get(queue, state) as number | undefined) ?? 0;
      const older = fromOldestEnd(total, limit, offset);
      if (!older) return { total, tasks: (this.st.listTasks.all(queue, state, limit, offset) as TaskRow[]).map(toTask) };
      const rows = this.st.listTasksOldestFirst.all(queue, state, older.limit, older.offset) as TaskRow[];
      return { total, tasks: rows.reverse().map(toTask) };
    })());
  }
}
