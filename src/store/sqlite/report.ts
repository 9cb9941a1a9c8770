// Reports: success, fail (planned by lifecycle/transitions.ts) and progress, each under its owner guard.
import { leaseMs } from '../../lifecycle/lease.js';
import { planFail, reportRefusal } from '../../lifecycle/transitions.js';
import type { Report, ReportOutcome, ReportResult, TransitionRules  } from '../store.js';
import { toPolicy, entry, type TaskRow, type QueueRow, type SucceededRow, type WorkerRow } from './rows.js';
import { SqliteArea, type Prepare, type SqliteConnection } from './connection.js';
import type { SqlitePublish } from './publish.js';

/** The statements this area prepares, besides the connection's shared ones. */
const statements = (p: Prepare) => ({
  succeed: p(`UPDATE tasks SET state = 'succeeded', finished_at_ms = @nowMs, updated_at_ms = @nowMs, lease_expires_at_ms = NULL,
    fail_reason = NULL, result = @result, history = json_insert(history, '$[#]', CASE WHEN @reEnqueuedTaskId IS NULL
      THEN json_object('atMs', @nowMs, 'what', 'succeeded', 'workerId', @workerId, 'attempt', attempts)
      ELSE json_object('atMs', @nowMs, 'what', 'succeeded', 'workerId', @workerId, 'attempt', attempts, 'reEnqueuedTaskId', @reEnqueuedTaskId) END)
    WHERE task_id = @taskId AND state = 'started' AND worker_id = @workerId RETURNING queue, started_at_ms`),
  extendLease: p(`UPDATE tasks SET lease_expires_at_ms = @leaseExpiresAtMs WHERE task_id = @taskId AND state = 'started' AND worker_id = @workerId`),
  countDone: p(`UPDATE workers SET tasks_done = tasks_done + ? WHERE worker_id = ?`),
});

export class SqliteReport extends SqliteArea<ReturnType<typeof statements>> {
  constructor(c: SqliteConnection, private readonly publish: SqlitePublish) {
    super(c, statements);
  }

  /** One guarded body for the three kinds of report (areas.ts reportKinds makes the Store's methods of
   *  it): the worker must exist (its last-seen is refreshed), and each task must be started by it.
   *  rules: given for fails and lease renewals. */
  applyReports(workerId: string, reports: Report[], nowMs: number, rules?: TransitionRules): Promise<ReportResult> {
    return this.write((): ReportResult => {
      const worker = this.st.worker.get(workerId) as WorkerRow | undefined;
      if (!worker) return { outcome: 'worker_not_found' };
      this.touch(worker, nowMs);
      let done = 0;
      const succeeded = new Map<string, number>();
      const outcomes = reports.map((r): ReportOutcome => {
        const result = r.result === undefined ? null : JSON.stringify(r.result);
        // The common report, a plain success, is one UPDATE; the row is read only when that did not
        // apply (to say why) or when the report needs more than the row's own columns.
        if (r.state === 'success' && !r.reEnqueue) {
          const closed = this.st.succeed.get({ taskId: r.taskId, workerId, nowMs, result, reEnqueuedTaskId: null }) as SucceededRow | undefined;
          if (closed) {
            done++;
            succeeded.set(closed.queue, (succeeded.get(closed.queue) ?? 0) + 1);
            return { outcome: 'ok', taskId: r.taskId, queue: closed.queue, state: 'succeeded', startedAtMs: closed.started_at_ms ?? nowMs };
          }
        }
        const row = this.st.taskById.get(r.taskId) as TaskRow | undefined;
        if (!row) return { outcome: 'task_not_found', taskId: r.taskId };
        const refused = reportRefusal({ state: row.state, workerId: row.worker_id }, workerId);
        if (refused) return { outcome: refused, taskId: r.taskId };
        if (r.state === 'progress') {
          const q = this.st.queue.get(row.queue) as QueueRow | undefined;
          const leaseExpiresAtMs = nowMs + leaseMs(q?.lease_seconds ?? null, rules!.defaultLeaseSeconds);
          this.st.extendLease.run({ taskId: r.taskId, workerId, leaseExpiresAtMs });
          return { outcome: 'ok', taskId: r.taskId, queue: row.queue, state: 'started', startedAtMs: row.updated_at_ms, leaseExpiresAtMs };
        }
        done++;
        const reEnqueuedTaskId = r.reEnqueue ? this.publish.insertCopy(row, nowMs) : undefined;
        if (r.state === 'success') {
          this.st.succeed.run({ taskId: r.taskId, workerId, nowMs, result, reEnqueuedTaskId: reEnqueuedTaskId ?? null });
          succeeded.set(row.queue, (succeeded.get(row.queue) ?? 0) + 1);
          return { outcome: 'ok', taskId: r.taskId, queue: row.queue, state: 'succeeded', startedAtMs: row.updated_at_ms, ...(reEnqueuedTaskId ? { reEnqueuedTaskId } : {}) };
        }
        const policy = toPolicy(this.st.queue.get(row.queue) as QueueRow | undefined);
        const plan = planFail({ attempts: row.attempts, maxAttempts: row.max_attempts, runAtMs: row.run_at_ms }, policy,
          { failReason: r.failReason, reEnqueued: reEnqueuedTaskId !== undefined, draw: r.draw ?? 0.5, jitter: rules!.backoffJitter, retry: r.retry }, nowMs);
        const retry = plan.retryAtMs !== undefined ? { retryAtMs: plan.retryAtMs } : {};
        const also = reEnqueuedTaskId ? { reEnqueuedTaskId } : {};
        const moved = this.st.failTo.run({ taskId: r.taskId, ownerId: workerId, state: plan.to, runAtMs: plan.runAtMs, nowMs, reason: plan.reason, result,
          finishedAtMs: plan.finishedAtMs, keepWorker: plan.keepWorker ? workerId : null, targetWorkerId: row.target_worker_id,
          entry: entry({ atMs: nowMs, what: 'failed', workerId, attempt: row.attempts, reason: plan.reason, ...retry, ...also }) }).changes;
        this.countMoves({ queue: row.queue, state: 'started' }, { queue: row.queue, state: plan.to }, nowMs, moved);
        return { outcome: 'ok', taskId: r.taskId, queue: row.queue, state: plan.to, startedAtMs: row.updated_at_ms, ...retry, ...also };
      });
      if (done) this.st.countDone.run(done, workerId);
      for (const [queue, n] of succeeded) this.countMoves({ queue, state: 'started' }, { queue, state: 'succeeded' }, nowMs, n);
      return { outcome: 'ok', reports: outcomes };
    });
  }
}
