// Claims: a worker's next tasks in its queue order, then priority, due time, arrival, within its queues' limits.
import { leaseMs } from '../../lifecycle/lease.js';
import { roomToStart } from '../../lifecycle/limits.js';
import { claimOrder, claimQueues, singularRunGate } from '../../lifecycle/claims.js';
import type { ClaimResult, WorkTask, TransitionRules } from '../store.js';
import { toWorkTask, toPolicy, rateOf, WORK_COLUMNS, type QueueRow, type WorkerRow, type WorkRow, type Candidate } from './rows.js';
import { SqliteArea, type Prepare, type SqliteConnection } from './connection.js';

/** The statements this area prepares, besides the connection's shared ones. */
const statements = (p: Prepare) => ({
  startedWithKey: p(`SELECT 1 FROM tasks WHERE queue = ? AND unique_key = ? AND state = 'started' LIMIT 1`).pluck(),
  anyDue: p(`SELECT 1 FROM tasks WHERE state = 'scheduled' AND run_at_ms <= ? LIMIT 1`).pluck(),
  // The next ready tasks a worker may take: the best of those for anyone and those for it alone
  // (two seeks of tasks_ready_for, merged), never a scan past other workers' copies.
  readyCandidates: p(`SELECT seq, unique_key, singularly_run FROM (
      SELECT * FROM (SELECT seq, unique_key, singularly_run, priority, run_at_ms FROM tasks
        WHERE queue = @queue AND state = 'ready' AND target_worker_id IS NULL ORDER BY priority DESC, run_at_ms, seq LIMIT @upTo)
      UNION ALL
      SELECT * FROM (SELECT seq, unique_key, singularly_run, priority, run_at_ms FROM tasks
        WHERE queue = @queue AND state = 'ready' AND target_worker_id = @workerId ORDER BY priority DESC, run_at_ms, seq LIMIT @upTo))
    ORDER BY priority DESC, run_at_ms, seq LIMIT @limit OFFSET @offset`),
  // The same for one task, as two statements with a literal LIMIT 1: SQLite answers those in a
  // third of the time of a bound LIMIT (measured); the claim keeps the better of the two.
  readyCandidateForAny: p(`SELECT seq, unique_key, singularly_run, priority, run_at_ms FROM tasks WHERE queue = ? AND state = 'ready'
    AND target_worker_id IS NULL ORDER BY priority DESC, run_at_ms, seq LIMIT 1`),
  readyCandidateForWorker: p(`SELECT seq, unique_key, singularly_run, priority, run_at_ms FROM tasks WHERE queue = ? AND state = 'ready'
    AND target_worker_id = ? ORDER BY priority DESC, run_at_ms, seq LIMIT 1`),
  // One task: a one-row UPDATE, which needs no statement journal. Several: one UPDATE for all.
  startTask: p(`UPDATE tasks SET state = 'started', worker_id = @workerId, attempts = attempts + 1, fail_reason = NULL,
    lease_expires_at_ms = @leaseExpiresAtMs, updated_at_ms = @nowMs, started_at_ms = @nowMs,
    history = json_insert(history, '$[#]', json_object('atMs', @nowMs, 'what', 'started', 'workerId', @workerId, 'attempt', attempts + 1))
    WHERE seq = @seq AND state = 'ready' RETURNING ${WORK_COLUMNS}`),
  startTasks: p(`UPDATE tasks SET state = 'started', worker_id = @workerId, attempts = attempts + 1, fail_reason = NULL,
    lease_expires_at_ms = @leaseExpiresAtMs, updated_at_ms = @nowMs, started_at_ms = @nowMs,
    history = json_insert(history, '$[#]', json_object('atMs', @nowMs, 'what', 'started', 'workerId', @workerId, 'attempt', attempts + 1))
    WHERE seq IN (SELECT value FROM json_each(@seqs)) AND state = 'ready'
    RETURNING ${WORK_COLUMNS}`),
  setRateTokens: p(`UPDATE queues SET rate_tokens = ?, rate_refilled_at_ms = ? WHERE queue = ?`),
});

export class SqliteClaim extends SqliteArea<ReturnType<typeof statements>> {
  constructor(c: SqliteConnection) {
    super(c, statements);
  }

  claimTasks(workerId: string, count: number, nowMs: number, rules: TransitionRules, only?: readonly string[]): Promise<ClaimResult> {
    return this.write((): ClaimResult => {
      const worker = this.st.worker.get(workerId) as WorkerRow | undefined;
      if (!worker) return { outcome: 'worker_not_found' };
      this.touch(worker, nowMs);
      // The probe is an index seek; the UPDATE, even one that changes nothing, costs a statement journal.
      if (this.st.anyDue.get(nowMs)) this.c.promoteDue(nowMs, 1000);
      const claimed: WorkTask[] = [];
      for (const queue of claimQueues(JSON.parse(worker.queues) as string[], only)) {
        if (claimed.length >= count) break;
        const q = this.st.queue.get(queue) as QueueRow | undefined;
        // The started count is read only when a concurrency cap needs it (claims are the hot path).
        if (q?.concurrency != null) this.flushCounts();
        const startedNow = q?.concurrency != null ? ((this.st.countInState.get(queue, 'started') as number | undefined) ?? 0) : 0;
        const { room, tokens } = roomToStart({ policy: toPolicy(q), started: startedNow, rate: q ? rateOf(q) : null }, count - claimed.length, nowMs);
        if (room <= 0) continue;
        const lease = nowMs + leaseMs(q?.lease_seconds ?? null, rules.defaultLeaseSeconds);
        const mayStart = singularRunGate((key) => this.st.startedWithKey.get(queue, key) !== undefined);
        let started = 0;
        for (let offset = 0; started < room; ) {
          const pageSize = room - started;
          const batch = (pageSize === 1 && offset === 0
            ? this.firstCandidate(queue, workerId)
            : this.st.readyCandidates.all({ queue, workerId, upTo: pageSize + offset, limit: pageSize, offset })) as { seq: number; unique_key: string | null; singularly_run: number }[];
          const chosen: number[] = [];
          for (const c of batch) {
            if (started + chosen.length >= room) break;
            if (!mayStart({ singularlyRun: c.singularly_run === 1, uniqueKey: c.unique_key })) { offset++; continue; }
            chosen.push(c.seq);
          }
          // One UPDATE for the page (a statement per task cost twice as much); RETURNING promises no
          // order, so the rows are put back in the order they were chosen.
          const order = new Map(chosen.map((seq, i) => [seq, i]));
          const rows = ((chosen.length === 1
            ? this.st.startTask.all({ seq: chosen[0], workerId, leaseExpiresAtMs: lease, nowMs })
            : this.st.startTasks.all({ seqs: JSON.stringify(chosen), workerId, leaseExpiresAtMs: lease, nowMs })) as WorkRow[])
            .sort((a, b) => order.get(a.seq)! - order.get(b.seq)!);
          for (const row of rows) claimed.push(toWorkTask(row));
          started += rows.length;
          if (batch.length < pageSize || started >= room) break;
        }
        if (q?.rate_limit != null) this.st.setRateTokens.run(tokens - started, nowMs, queue);
        this.countMoves({ queue, state: 'ready' }, { queue, state: 'started' }, nowMs, started);
      }
      return { outcome: 'ok', tasks: claimed };
    }, { mayLose: true });
  }

  /** The next ready task the worker may take (a list of none or one): the earlier in claim order of
   *  the first task for anyone and the first for this worker alone. */
  private firstCandidate(queue: string, workerId: string): Candidate[] {
    const any = this.st.readyCandidateForAny.get(queue) as Candidate | undefined;
    const mine = this.st.readyCandidateForWorker.get(queue, workerId) as Candidate | undefined;
    if (!any || !mine) return any ? [any] : mine ? [mine] : [];
    const key = (c: Candidate) => ({ priority: c.priority, runAtMs: c.run_at_ms, seq: c.seq });
    return [claimOrder(key(mine), key(any)) < 0 ? mine : any];
  }
}
