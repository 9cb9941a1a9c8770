// The failed queue: filtered lists, retries (targetOnReturn) and deletes.
import { retriedEntry, targetOnReturn } from '../../lifecycle/transitions.js';
import type { FailedFilter, FailedSelection } from '../store.js';
import { toTask, entry, containsPattern, type TaskRow } from './rows.js';
import { SqliteArea, type Prepare, type SqliteConnection } from './connection.js';
import type { SqliteWorkers } from './workers.js';

/** The statements this area prepares, besides the connection's shared ones. */
const statements = (p: Prepare) => ({
  failedTask: p(`SELECT queue, data, target_worker_id FROM tasks WHERE task_id = ? AND state = 'failed'`),
  retryFailed: p(`UPDATE tasks SET state = 'ready', attempts = 0, run_at_ms = @nowMs, finished_at_ms = NULL, fail_reason = NULL,
    worker_id = NULL, lease_expires_at_ms = NULL, updated_at_ms = @nowMs, queue = @queue, data = COALESCE(@data, data),
    target_worker_id = @targetWorkerId, history = json_insert(history, '$[#]', json(@entry))
    WHERE task_id = @taskId AND state = 'failed'`),
  deleteFailed: p(`DELETE FROM tasks WHERE task_id = ? AND state = 'failed' RETURNING queue`).pluck(),
});

export class SqliteFailed extends SqliteArea<ReturnType<typeof statements>> {
  constructor(c: SqliteConnection, private readonly workers: SqliteWorkers) {
    super(c, statements);
  }

  private failedWhere(filter: FailedFilter): { sql: string; args: unknown[] } {
    const parts = [`state = 'failed'`];
    const args: unknown[] = [];
    if (filter.queue !== undefined) { parts.push('queue = ?'); args.push(filter.queue); }
    if (filter.reason !== undefined) { parts.push(`fail_reason LIKE ? ESCAPE '\\'`); args.push(containsPattern(filter.reason)); }
    if (filter.search !== undefined) { parts.push(`data LIKE ? ESCAPE '\\'`); args.push(containsPattern(filter.search)); }
    if (filter.field !== undefined) { parts.push('switchyard_has_field_text(data, ?, ?)'); args.push(filter.field.path, filter.field.value); }
    return { sql: parts.join(' AND '), args };
  }

  private selectFailedIds(sel: FailedSelection): string[] {
    if ('taskIds' in sel) return sel.taskIds;
    const w = this.failedWhere(sel.filter);
    return this.db.prepare(`SELECT task_id FROM tasks WHERE ${w.sql}`).pluck().all(...w.args) as string[];
  }

  listFailedTasks(filter: FailedFilter, limit: number, offset: number) {
    return this.run(() => this.db.transaction(() => {
      const w = this.failedWhere(filter);
      const total = this.db.prepare(`SELECT count(*) FROM tasks WHERE ${w.sql}`).pluck().get(...w.args) as number;
      const rows = this.db.prepare(`SELECT * FROM tasks WHERE ${w.sql} ORDER BY finished_at_ms DESC, seq DESC LIMIT ? OFFSET ?`)
        .all(...w.args, limit, offset) as TaskRow[];
      return { total, tasks: rows.map(toTask) };
    })());
  }

  retryFailedTasks(sel: FailedSelection, opts: { toQueue?: string; data?: Record<string, unknown> }, nowMs: number): Promise<number> {
    return this.write(() => {
      let n = 0;
      const data = opts.data === undefined ? null : JSON.stringify(opts.data);
      for (const taskId of this.selectFailedIds(sel)) {
        const row = this.st.failedTask.get(taskId) as Pick<TaskRow, 'queue' | 'data' | 'target_worker_id'> | undefined;
        if (!row) continue;
        const queue = opts.toQueue ?? row.queue;
        const workerQueues = this.workers.workerQueues(row.target_worker_id);
        const target = targetOnReturn(row.target_worker_id, queue, workerQueues);
        const task = { queue: row.queue, data: JSON.parse(row.data), targetWorkerId: row.target_worker_id };
        const moved = this.st.retryFailed.run({ taskId, nowMs, queue, data, targetWorkerId: target.targetWorkerId,
          entry: entry(retriedEntry(task, opts, target, workerQueues === null, nowMs)) }).changes;
        this.countMoves({ queue: row.queue, state: 'failed' }, { queue, state: 'ready' }, nowMs, moved);
        n += moved;
      }
      return n;
    });
  }

  deleteFailedTasks(sel: FailedSelection): Promise<number> {
    return this.write(() => {
      let n = 0;
      for (const taskId of this.selectFailedIds(sel)) {
        const queue = this.st.deleteFailed.get(taskId) as string | undefined;
        if (queue === undefined) continue;
        this.countMoves({ queue, state: 'failed' }, null, 0);
        n++;
      }
      return n;
    });
  }
}
