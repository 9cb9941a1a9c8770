// The failed queue: filtered lists, retries (targetOnReturn) and deletes.
import { retriedEntry, targetOnReturn } from '../../lifecycle/transitions.js';
import type Database from 'better-sqlite3';
import type { FailedFilter, FailedSelection } from '../store.js';
import { writtenAsIsInJson } from '../../fields.js';
import { toTask, entry, containsPattern, fromOldestEnd, TASK_COLUMNS, TASK_DATA, type TaskRow } from './rows.js';
import { SqliteArea, ROWS_PER_COMMIT, type Prepare, type SqliteConnection } from './connection.js';
import type { SqliteWorkers } from './workers.js';

/** The statements this area prepares, besides the connection's shared ones. */
const statements = (p: Prepare) => ({
  retryFailed: p(`UPDATE tasks SET state = 'ready', attempts = 0, run_at_ms = @nowMs, finished_at_ms = NULL, fail_reason = NULL,
    worker_id = NULL, lease_expires_at_ms = NULL, updated_at_ms = @nowMs, queue = @queue, data = COALESCE(@data, data),
    target_worker_id = @targetWorkerId, history = json_insert(history, '$[#]', json(@entry))
    WHERE task_id = @taskId AND state = 'failed'`),
  failedInAll: p(`SELECT coalesce(sum(n), 0) FROM task_counts WHERE state = 'failed'`).pluck(),
});

/** A filter by queue alone, or none: the kept counts know how many it selects. */
const byQueueAlone = (f: FailedFilter) => f.reason === undefined && f.search === undefined && f.field === undefined;

/** A selection as a WHERE clause over failed tasks: named ids, or a filter. */
function selectionWhere(sel: FailedSelection): { sql: string; args: unknown[] } {
  if ('taskIds' in sel) return { sql: `state = 'failed' AND task_id IN (SELECT value FROM json_each(?))`, args: [JSON.stringify(sel.taskIds)] };
  const parts = [`state = 'failed'`];
  const args: unknown[] = [];
  const f = sel.filter;
  if (f.queue !== undefined) { parts.push('queue = ?'); args.push(f.queue); }
  if (f.reason !== undefined) { parts.push(`fail_reason LIKE ? ESCAPE '\\'`); args.push(containsPattern(f.reason)); }
  if (f.search !== undefined) { parts.push(`${TASK_DATA} LIKE ? ESCAPE '\\'`); args.push(containsPattern(f.search)); }
  if (f.field !== undefined) {
    // A field's text is in the payload's JSON as it is, unless JSON escapes it: there, a text search
    // in C first leaves the parse-and-walk for the few payloads that can match (every one took 5 µs).
    if (writtenAsIsInJson(f.field.value)) { parts.push(`instr(${TASK_DATA}, ?) > 0`); args.push(f.field.value); }
    parts.push(`switchyard_has_field_text(${TASK_DATA}, ?, ?)`); args.push(f.field.path, f.field.value);
  }
  return { sql: parts.join(' AND '), args };
}

export class SqliteFailed extends SqliteArea<ReturnType<typeof statements>> {
  /** Statements over a selection, one per shape (a filter has sixteen), prepared once each. */
  private readonly bySql = new Map<string, Database.Statement>();

  constructor(c: SqliteConnection, private readonly workers: SqliteWorkers) {
    super(c, statements);
  }

  private prepared(sql: string): Database.Statement {
    let st = this.bySql.get(sql);
    if (!st) this.bySql.set(sql, (st = this.db.prepare(sql)));
    return st;
  }

  listFailedTasks(filter: FailedFilter, limit: number, offset: number) {
    return this.run(() => this.db.transaction(() => {
      const w = selectionWhere({ all: true, filter });
      const total = byQueueAlone(filter) ? this.keptCount(filter) : this.prepared(`SELECT count(*) FROM tasks WHERE ${w.sql}`).pluck().get(...w.args) as number;
      // A page in the older half (kick takes the oldest) is read from that end.
      const older = fromOldestEnd(total, limit, offset);
      if (!older) {
        const rows = this.prepared(`SELECT ${TASK_COLUMNS} FROM tasks WHERE ${w.sql} ORDER BY finished_at_ms DESC, seq DESC LIMIT ? OFFSET ?`)
          .all(...w.args, limit, offset) as TaskRow[];
        return { total, tasks: rows.map(toTask) };
      }
      const rows = this.prepared(`SELECT ${TASK_COLUMNS} FROM tasks WHERE ${w.sql} ORDER BY finished_at_ms, seq LIMIT ? OFFSET ?`)
        .all(...w.args, older.limit, older.offset) as TaskRow[];
      return { total, tasks: rows.reverse().map(toTask) };
    })());
  }

  /** The failed tasks of a queue, or of all, from the kept counts (counting rows walks them all). */
  private keptCount(filter: FailedFilter): number {
    return filter.queue !== undefined ? (this.st.countInState.get(filter.queue, 'failed') as number | undefined) ?? 0 : this.st.failedInAll.get() as number;
  }

  /** A selection changed a part a commit (retrying 100,000 in one commit held every other request
   *  2.1 s). The number changed. */
  private async inParts(sel: FailedSelection, change: (part: FailedSelection) => number): Promise<number> {
    if (!('taskIds' in sel) && byQueueAlone(sel.filter)) return this.oldestInParts(sel.filter, change);
    // A filter that looks inside the tasks walks them once: the matching ids are read first (as on
    // Couchbase), then each part changes those of its tasks that are still failed.
    const ids = 'taskIds' in sel ? sel.taskIds
      : await this.run(() => { const w = selectionWhere(sel); return this.prepared(`SELECT task_id FROM tasks WHERE ${w.sql}`).pluck().all(...w.args) as string[]; });
    return (await this.writeInParts(ids, (part) => change({ taskIds: part }))).reduce((a, b) => a + b, 0);
  }

  /** All the failed tasks of a queue, or of all queues (the page's "retry all" and "delete all"), with
   *  no read of every id first (100,000 ids held every other request 143 ms): each part takes the
   *  oldest still failed, as many as failed when it began at most, so tasks that fail again meanwhile
   *  (they are the newest) are left for the next time. */
  private async oldestInParts(filter: FailedFilter, change: (part: FailedSelection) => number): Promise<number> {
    const w = selectionWhere({ all: true, filter });
    const oldest = this.prepared(`SELECT task_id FROM tasks WHERE ${w.sql} ORDER BY finished_at_ms, seq LIMIT ?`).pluck();
    const total = await this.run(() => this.keptCount(filter));
    if (total === 0) return 0;
    const parts = await this.writeParts<{ taken: number; changed: number; last: boolean }>((done) => {
      const left = total - done.reduce((n, p) => n + p.taken, 0);
      const ids = oldest.all(...w.args, Math.min(ROWS_PER_COMMIT, left)) as string[];
      return { taken: ids.length, changed: ids.length ? change({ taskIds: ids }) : 0, last: ids.length === left || ids.length < ROWS_PER_COMMIT };
    });
    return parts.reduce((n, p) => n + p.changed, 0);
  }

  retryFailedTasks(sel: FailedSelection, opts: { toQueue?: string; data?: Record<string, unknown> }, nowMs: number): Promise<number> {
    return this.inParts(sel, (part) => {
      const w = selectionWhere(part);
      const rows = this.prepared(`SELECT task_id, queue, ${TASK_DATA} AS data, target_worker_id FROM tasks WHERE ${w.sql}`)
        .all(...w.args) as Pick<TaskRow, 'task_id' | 'queue' | 'data' | 'target_worker_id'>[];
      const data = opts.data === undefined ? null : JSON.stringify(opts.data);
      // Each row gets its own history entry and target (lifecycle decides), so one UPDATE per row.
      for (const row of rows) {
        const queue = opts.toQueue ?? row.queue;
        const workerQueues = this.workers.workerQueues(row.target_worker_id);
        const target = targetOnReturn(row.target_worker_id, queue, workerQueues);
        const task = { queue: row.queue, data: JSON.parse(row.data), targetWorkerId: row.target_worker_id };
        this.st.retryFailed.run({ taskId: row.task_id, nowMs, queue, data, targetWorkerId: target.targetWorkerId,
          entry: entry(retriedEntry(task, opts, target, workerQueues === null, nowMs)) });
        this.countMoves({ queue: row.queue, state: 'failed' }, { queue, state: 'ready' }, nowMs);
      }
      return rows.length;
    });
  }

  deleteFailedTasks(sel: FailedSelection): Promise<number> {
    return this.inParts(sel, (part) => {
      const w = selectionWhere(part);
      const queues = this.prepared(`DELETE FROM tasks WHERE ${w.sql} RETURNING queue`).pluck().all(...w.args) as string[];
      for (const queue of queues) this.countMoves({ queue, state: 'failed' }, null, 0);
      return queues.length;
    });
  }
}
