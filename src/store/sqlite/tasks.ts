// Reading tasks and cancelling waiting ones.
import type { TaskRecord, TaskState } from '../store.js';
import { toTask, entry, TASK_COLUMNS, type TaskRow } from './rows.js';
import { WAITING_STATES } from '../../lifecycle/states.js';
import { SqliteArea, type Prepare, type SqliteConnection } from './connection.js';

/** The statements this area prepares, besides the connection's shared ones. */
const statements = (p: Prepare) => ({
  cancelTask: p(`UPDATE tasks SET state = 'cancelled', finished_at_ms = @nowMs, updated_at_ms = @nowMs,
    history = json_insert(history, '$[#]', json(@entry)) WHERE task_id = @taskId AND state IN ('scheduled', 'ready')`),
  cancelEvent: p(`UPDATE tasks SET state = 'cancelled', finished_at_ms = @nowMs, updated_at_ms = @nowMs,
    history = json_insert(history, '$[#]', json(@entry)) WHERE event_id = @eventId AND state = @state RETURNING queue`).pluck(),
  eventExists: p(`SELECT 1 FROM tasks WHERE event_id = ? LIMIT 1`).pluck(),
  listTasks: p(`SELECT ${TASK_COLUMNS} FROM tasks WHERE queue = ? AND state = ? ORDER BY seq DESC LIMIT ? OFFSET ?`),
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

  listTasks(queue: string, state: TaskState, limit: number, offset: number) {
    return this.run(() => this.db.transaction(() => ({
      total: ((this.st.countInState.get(queue, state) as number | undefined) ?? 0),
      tasks: (this.st.listTasks.all(queue, state, limit, offset) as TaskRow[]).map(toTask),
    }))());
  }
}
