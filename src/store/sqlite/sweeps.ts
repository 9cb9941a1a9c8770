// Sweeps: promote due tasks, expire leases (planLeaseExpiry), reap idle workers, prune finished tasks.
import { planLeaseExpiry, targetOnReturn, releasedReason } from '../../lifecycle/transitions.js';
import { DEFAULT_POLICY } from '../store.js';
import { entry, THROUGHPUT_KEEP_MS, type TaskRow } from './rows.js';
import { SqliteArea, type Prepare, type SqliteConnection } from './connection.js';
import type { SqliteWorkers } from './workers.js';

/** The statements this area prepares, besides the connection's shared ones. */
const statements = (p: Prepare) => ({
  idleWorkers: p(`SELECT worker_id FROM workers WHERE last_seen_at_ms < ? ORDER BY last_seen_at_ms LIMIT ?`).pluck(),
  expiredLeases: p(`SELECT t.task_id, t.queue, t.attempts, t.max_attempts, t.worker_id, t.target_worker_id,
    COALESCE(q.max_attempts, ${DEFAULT_POLICY.maxAttempts}) AS queue_max_attempts
    FROM tasks t LEFT JOIN queues q ON q.queue = t.queue
    WHERE t.state = 'started' AND t.lease_expires_at_ms < ? ORDER BY t.lease_expires_at_ms LIMIT ?`),
  pruneFinished: p(`DELETE FROM tasks WHERE seq IN (SELECT seq FROM tasks WHERE state IN ('succeeded', 'cancelled')
    AND finished_at_ms < ? ORDER BY finished_at_ms LIMIT ?) RETURNING queue, state`),
  pruneThroughput: p(`DELETE FROM throughput WHERE minute_ms < ?`),
  pruneIdempotency: p(`DELETE FROM idempotency WHERE expires_at_ms <= ?`),
});

export class SqliteSweeps extends SqliteArea<ReturnType<typeof statements>> {
  constructor(c: SqliteConnection, private readonly workers: SqliteWorkers) {
    super(c, statements);
  }

  promoteDueTasks(nowMs: number, limit: number): Promise<number> {
    return this.write(() => this.c.promoteDue(nowMs, limit));
  }

  expireLeases(nowMs: number, limit: number) {
    return this.write(() => {
      let returned = 0; let failed = 0;
      type Expired = Pick<TaskRow, 'task_id' | 'queue' | 'attempts' | 'max_attempts' | 'worker_id' | 'target_worker_id'> & { queue_max_attempts: number };
      for (const t of this.st.expiredLeases.all(nowMs, limit) as Expired[]) {
        const plan = planLeaseExpiry({ attempts: t.attempts, maxAttempts: t.max_attempts }, t.queue_max_attempts, nowMs);
        const workerQueues = this.workers.workerQueues(t.target_worker_id);
        const target = targetOnReturn(t.target_worker_id, t.queue, workerQueues);
        const moved = this.st.failTo.run({ taskId: t.task_id, ownerId: t.worker_id, state: plan.to, runAtMs: nowMs, nowMs, reason: plan.reason, result: null,
          finishedAtMs: plan.finishedAtMs, keepWorker: null, targetWorkerId: target.targetWorkerId,
          entry: entry({ atMs: nowMs, what: 'lease-expired', attempt: t.attempts, reason: plan.reason,
            ...(target.released ? { released: releasedReason(t.target_worker_id!, t.queue, workerQueues === null) } : {}) }) }).changes;
        this.countMoves({ queue: t.queue, state: 'started' }, { queue: t.queue, state: plan.to }, nowMs, moved);
        if (plan.to === 'failed') failed += moved; else returned += moved;
      }
      return { returned, failed };
    });
  }

  reapIdleWorkers(idleBeforeMs: number, nowMs: number, limit: number) {
    return this.write(() => this.workers.removeWorkerIds(this.st.idleWorkers.all(idleBeforeMs, limit) as string[], nowMs, 'worker timed out'));
  }

  pruneFinishedTasks(nowMs: number, keepFinishedMs: number, limit: number): Promise<number> {
    return this.write(() => {
      this.st.pruneThroughput.run(nowMs - THROUGHPUT_KEEP_MS);
      this.st.pruneIdempotency.run(nowMs);
      const pruned = this.st.pruneFinished.all(nowMs - keepFinishedMs, limit) as Pick<TaskRow, 'queue' | 'state'>[];
      for (const { queue, state } of pruned) this.countMoves({ queue, state }, null, nowMs);
      return pruned.length;
    });
  }
}
