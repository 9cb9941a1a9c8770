// The embedded store: one SQLite file in WAL mode via better-sqlite3. Every transition is one
// IMMEDIATE transaction, so several broker processes may share the file: SQLite has one writer,
// and a read inside the write transaction cannot be raced. Concurrent writes share one commit.
import { hasFieldText } from '../routing/match.js';
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { timeOrderedId } from '../ids.js';
import { migrate } from './sqlite-schema.js';
import { planIdempotency, replayed } from './idempotency.js';
import { GroupCommit, type Outcome } from './group-commit.js';
import { emptyCounts, type TaskState } from '../lifecycle/states.js';
import { leaseMs } from '../lifecycle/lease.js';
import { planFail, planLeaseExpiry, retriedEntry, removedCopyReason, targetOnReturn, releasedReason } from '../lifecycle/transitions.js';
import { roomToStart } from '../lifecycle/limits.js';
import {
  DEFAULT_POLICY, StoreUnavailableError,
  type ClaimResult, type FailedFilter, type FailedSelection, type HistoryEntry, type InterestMap, type NewEvent,
  type PublishedEvent, type PublishResult, publishStatus, type QueuePolicy, type QueueSummary, type Report, type ScheduleDefinition, type ScheduleFiring, type ScheduleRecord, type ReportOutcome, type ReportResult,
  type Store, type TaskRecord, type ThroughputMinute, type WorkTask, type Totals, type TransitionRules, type WorkerRecord, type WorkersRemoved,
} from './store.js';

const THROUGHPUT_KEEP_MS = 24 * 3600_000;

interface TaskRow {
  seq: number; task_id: string; event_id: string; queue: string; publisher: string; data: string; state: TaskState;
  priority: number; run_at_ms: number; created_at_ms: number; attempts: number; max_attempts: number | null;
  unique_key: string | null; singularly_run: number; target_worker_id: string | null; worker_id: string | null;
  lease_expires_at_ms: number | null; finished_at_ms: number | null; updated_at_ms: number; fail_reason: string | null; result: string | null;
  route: string; history: string; started_at_ms: number | null;
}
interface QueueRow {
  queue: string; interests: string | null; paused: number; max_attempts: number; backoff_seconds: number;
  max_backoff_seconds: number; lease_seconds: number | null; rate_limit: number | null; concurrency: number | null;
  push_url: string | null; push_timeout_seconds: number; push_secret: string | null; rate_tokens: number | null; rate_refilled_at_ms: number | null;
}
interface ScheduleRow {
  name: string; cron: string; timezone: string | null; event: string; paused: number; created_at_ms: number; updated_at_ms: number;
  last_tick_ms: number; last_fired_at_ms: number | null; last_event_id: string | null; last_missed_ticks: number;
}
/** What closing a task answers (started_at_ms is NULL for tasks started before migration 5). */
interface SucceededRow { queue: string; started_at_ms: number | null }
interface WorkerRow { worker_id: string; name: string; queues: string; registered_at_ms: number; last_seen_at_ms: number; tasks_done: number }

const POLICY_COLUMNS: Record<keyof QueuePolicy, string> = {
  paused: 'paused', maxAttempts: 'max_attempts', backoffSeconds: 'backoff_seconds', maxBackoffSeconds: 'max_backoff_seconds',
  leaseSeconds: 'lease_seconds', rateLimit: 'rate_limit', concurrency: 'concurrency', pushUrl: 'push_url',
  pushTimeoutSeconds: 'push_timeout_seconds', pushSecret: 'push_secret',
};

function toTask(r: TaskRow): TaskRecord {
  return {
    taskId: r.task_id, eventId: r.event_id, queue: r.queue, publisher: r.publisher, data: JSON.parse(r.data), state: r.state,
    priority: r.priority, attempts: r.attempts, maxAttempts: r.max_attempts, runAtMs: r.run_at_ms, createdAtMs: r.created_at_ms,
    workerId: r.worker_id, targetWorkerId: r.target_worker_id, leaseExpiresAtMs: r.lease_expires_at_ms,
    finishedAtMs: r.finished_at_ms, uniqueKey: r.unique_key, singularlyRun: r.singularly_run === 1, failReason: r.fail_reason,
    result: r.result === null ? null : JSON.parse(r.result), route: JSON.parse(r.route), history: JSON.parse(r.history),
  };
}

/** A ready task a claim may start, with what orders it. */
interface Candidate { seq: number; unique_key: string | null; singularly_run: number; priority: number; run_at_ms: number }

type WorkRow = Pick<TaskRow, 'seq' | 'task_id' | 'event_id' | 'queue' | 'publisher' | 'data' | 'priority' | 'attempts' | 'run_at_ms' | 'created_at_ms' | 'lease_expires_at_ms'>;

function toWorkTask(r: WorkRow): WorkTask {
  return {
    taskId: r.task_id, eventId: r.event_id, queue: r.queue, publisher: r.publisher, data: JSON.parse(r.data), priority: r.priority,
    attempts: r.attempts, runAtMs: r.run_at_ms, createdAtMs: r.created_at_ms, leaseExpiresAtMs: r.lease_expires_at_ms,
  };
}

function toPolicy(q: QueueRow | undefined): QueuePolicy {
  if (!q) return { ...DEFAULT_POLICY };
  return {
    paused: q.paused === 1, maxAttempts: q.max_attempts, backoffSeconds: q.backoff_seconds, maxBackoffSeconds: q.max_backoff_seconds,
    leaseSeconds: q.lease_seconds, rateLimit: q.rate_limit, concurrency: q.concurrency, pushUrl: q.push_url,
    pushTimeoutSeconds: q.push_timeout_seconds, pushSecret: q.push_secret,
  };
}

function toSchedule(r: ScheduleRow): ScheduleRecord {
  return {
    name: r.name, cron: r.cron, timezone: r.timezone, event: JSON.parse(r.event), paused: r.paused === 1,
    createdAtMs: r.created_at_ms, updatedAtMs: r.updated_at_ms, lastTickMs: r.last_tick_ms,
    lastFiredAtMs: r.last_fired_at_ms, lastEventId: r.last_event_id, lastMissedTicks: r.last_missed_ticks,
  };
}

function rateOf(q: QueueRow): { tokens: number; atMs: number } | null {
  return q.rate_tokens === null || q.rate_refilled_at_ms === null ? null : { tokens: q.rate_tokens, atMs: q.rate_refilled_at_ms };
}

function toWorker(w: WorkerRow, tasks: string[]): WorkerRecord {
  return { workerId: w.worker_id, name: w.name, queues: JSON.parse(w.queues), registeredAtMs: w.registered_at_ms, lastSeenAtMs: w.last_seen_at_ms, tasksDone: w.tasks_done, tasks };
}

const entry = (e: HistoryEntry) => JSON.stringify(e);
/** LIKE pattern for "contains", with the user's % and _ taken literally. */
const containsPattern = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** A write of a group-commit batch threw (as opposed to BEGIN or COMMIT failing). */
class WriteFailed {
  constructor(readonly error: unknown) {}
}

const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|CORRUPT|NOTADB|PROTOCOL)/;

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  /** The synchronous mode of commits that must survive power loss (SWITCHYARD_SYNC). */
  private readonly durableSync: 'FULL' | 'NORMAL';
  private currentSync: 'FULL' | 'NORMAL';
  private readonly st;

  constructor(readonly file: string, opts: { sync: 'full' | 'normal' }) {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file, { timeout: 10_000 });
    this.batchTransaction = this.db.transaction((batch: { work: () => unknown }[], outcomes: Outcome[]) => {
      for (const w of batch) {
        let value: unknown;
        try { value = w.work(); } catch (error) { throw new WriteFailed(error); }
        outcomes.push({ ok: true, value });
      }
      this.flushCounts();
    });
    const inSavepoint = this.db.transaction((work: () => unknown) => {
      const value = work();
      this.flushCounts();
      return value;
    });
    this.isolatedBatchTransaction = this.db.transaction((batch: { work: () => unknown }[], outcomes: Outcome[]) => {
      for (const w of batch) {
        try {
          outcomes.push({ ok: true, value: inSavepoint(w.work) });
        } catch (error) {
          this.clearCounts();
          outcomes.push({ ok: false, error: this.unavailable(error) });
        }
      }
    });
    this.db.pragma('journal_mode = WAL');
    // Statement journals (multi-row UPDATEs on a table with triggers) in memory, not in temp files.
    this.db.pragma('temp_store = MEMORY');
    
    this.durableSync = opts.sync === 'full' ? 'FULL' : 'NORMAL';
    this.db.pragma(`synchronous = ${this.durableSync}`);
    this.currentSync = this.durableSync;
    migrate(this.db);
    // The failed queue's "field = value" filter reads payloads exactly as routing does, in one place.
    this.db.function('switchyard_has_field_text', { deterministic: true }, (data, fieldPath, value) =>
      (hasFieldText(JSON.parse(String(data)), String(fieldPath), String(value)) ? 1 : 0));
    const p = (sql: string) => this.db.prepare(sql);
    this.st = {
      revision: p(`SELECT value FROM meta WHERE key = 'interests_revision'`).pluck(),
      bumpRevision: p(`UPDATE meta SET value = value + 1 WHERE key = 'interests_revision' RETURNING value`).pluck(),
      queue: p(`SELECT * FROM queues WHERE queue = ?`),
      ensureQueue: p(`INSERT INTO queues (queue, created_at_ms) VALUES (?, ?) ON CONFLICT DO NOTHING`),
      queuesWithInterests: p(`SELECT queue, interests FROM queues WHERE interests IS NOT NULL ORDER BY queue`),
      setInterests: p(`UPDATE queues SET interests = ? WHERE queue = ?`),
      clearInterests: p(`UPDATE queues SET interests = NULL WHERE queue = ? AND interests IS NOT NULL`),
      queueExists: p(`SELECT 1 FROM queues WHERE queue = ?`).pluck(),
      waitingWithKey: p(`SELECT 1 FROM tasks WHERE queue = ? AND unique_key = ? AND state IN ('scheduled', 'ready') LIMIT 1`).pluck(),
      startedWithKey: p(`SELECT 1 FROM tasks WHERE queue = ? AND unique_key = ? AND state = 'started' LIMIT 1`).pluck(),
      workersOfQueue: p(`SELECT worker_id FROM worker_queues WHERE queue = ? ORDER BY worker_id`).pluck(),
      // Positional: binding sixteen named parameters cost a fifth of an insert.
      insertTask: p(`INSERT INTO tasks (task_id, event_id, queue, publisher, data, state, priority, run_at_ms, created_at_ms,
        updated_at_ms, max_attempts, unique_key, singularly_run, target_worker_id, route, history)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      worker: p(`SELECT * FROM workers WHERE worker_id = ?`),
      touchWorker: p(`UPDATE workers SET last_seen_at_ms = ? WHERE worker_id = ?`),
      anyDue: p(`SELECT 1 FROM tasks WHERE state = 'scheduled' AND run_at_ms <= ? LIMIT 1`).pluck(),
      promoteDue: p(`UPDATE tasks SET state = 'ready', updated_at_ms = ? WHERE seq IN
        (SELECT seq FROM tasks WHERE state = 'scheduled' AND run_at_ms <= ? ORDER BY run_at_ms LIMIT ?)`),
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
        WHERE seq = @seq AND state = 'ready' RETURNING seq, task_id, event_id, queue, publisher, data, priority, attempts, run_at_ms, created_at_ms, lease_expires_at_ms`),
      startTasks: p(`UPDATE tasks SET state = 'started', worker_id = @workerId, attempts = attempts + 1, fail_reason = NULL,
        lease_expires_at_ms = @leaseExpiresAtMs, updated_at_ms = @nowMs, started_at_ms = @nowMs,
        history = json_insert(history, '$[#]', json_object('atMs', @nowMs, 'what', 'started', 'workerId', @workerId, 'attempt', attempts + 1))
        WHERE seq IN (SELECT value FROM json_each(@seqs)) AND state = 'ready'
        RETURNING seq, task_id, event_id, queue, publisher, data, priority, attempts, run_at_ms, created_at_ms, lease_expires_at_ms`),
      countInState: p(`SELECT n FROM task_counts WHERE queue = ? AND state = ?`).pluck(),
      setRateTokens: p(`UPDATE queues SET rate_tokens = ?, rate_refilled_at_ms = ? WHERE queue = ?`),
      taskById: p(`SELECT * FROM tasks WHERE task_id = ?`),
      succeed: p(`UPDATE tasks SET state = 'succeeded', finished_at_ms = @nowMs, updated_at_ms = @nowMs, lease_expires_at_ms = NULL,
        fail_reason = NULL, result = @result, history = json_insert(history, '$[#]', CASE WHEN @reEnqueuedTaskId IS NULL
          THEN json_object('atMs', @nowMs, 'what', 'succeeded', 'workerId', @workerId, 'attempt', attempts)
          ELSE json_object('atMs', @nowMs, 'what', 'succeeded', 'workerId', @workerId, 'attempt', attempts, 'reEnqueuedTaskId', @reEnqueuedTaskId) END)
        WHERE task_id = @taskId AND state = 'started' AND worker_id = @workerId RETURNING queue, started_at_ms`),
      extendLease: p(`UPDATE tasks SET lease_expires_at_ms = @leaseExpiresAtMs WHERE task_id = @taskId AND state = 'started' AND worker_id = @workerId`),
      failTo: p(`UPDATE tasks SET state = @state, run_at_ms = @runAtMs, finished_at_ms = @finishedAtMs, updated_at_ms = @nowMs,
        lease_expires_at_ms = NULL, fail_reason = @reason, result = COALESCE(@result, result), worker_id = @keepWorker,
        history = json_insert(history, '$[#]', json(@entry)), target_worker_id = @targetWorkerId
        WHERE task_id = @taskId AND state = 'started' AND worker_id IS @ownerId`),
      countDone: p(`UPDATE workers SET tasks_done = tasks_done + ? WHERE worker_id = ?`),
      cancelTask: p(`UPDATE tasks SET state = 'cancelled', finished_at_ms = @nowMs, updated_at_ms = @nowMs,
        history = json_insert(history, '$[#]', json(@entry)) WHERE task_id = @taskId AND state IN ('scheduled', 'ready')`),
      cancelEvent: p(`UPDATE tasks SET state = 'cancelled', finished_at_ms = @nowMs, updated_at_ms = @nowMs,
        history = json_insert(history, '$[#]', json(@entry)) WHERE event_id = @eventId AND state IN ('scheduled', 'ready')`),
      eventExists: p(`SELECT 1 FROM tasks WHERE event_id = ? LIMIT 1`).pluck(),
      insertWorker: p(`INSERT INTO workers (worker_id, name, queues, registered_at_ms, last_seen_at_ms) VALUES (?, ?, ?, ?, ?)`),
      insertWorkerQueue: p(`INSERT OR IGNORE INTO worker_queues (queue, worker_id) VALUES (?, ?)`),
      allWorkers: p(`SELECT * FROM workers ORDER BY registered_at_ms, worker_id`),
      startedOfWorker: p(`SELECT task_id FROM tasks WHERE state = 'started' AND worker_id = ? ORDER BY seq`).pluck(),
      allStarted: p(`SELECT worker_id, task_id FROM tasks WHERE state = 'started' ORDER BY seq`),
      returnTasksOfWorker: p(`UPDATE tasks SET state = 'ready', worker_id = NULL, lease_expires_at_ms = NULL, updated_at_ms = @nowMs,
        history = json_insert(history, '$[#]', json(@entry))
        WHERE state = 'started' AND worker_id = @workerId AND target_worker_id IS NULL`),
      cancelTargetedOfWorker: p(`UPDATE tasks SET state = 'cancelled', worker_id = NULL, lease_expires_at_ms = NULL,
        finished_at_ms = @nowMs, updated_at_ms = @nowMs, history = json_insert(history, '$[#]', json(@entry))
        WHERE target_worker_id = @workerId AND state IN ('scheduled', 'ready', 'started')`),
      deleteWorker: p(`DELETE FROM workers WHERE worker_id = ?`),
      deleteWorkerQueues: p(`DELETE FROM worker_queues WHERE worker_id = ?`),
      idleWorkers: p(`SELECT worker_id FROM workers WHERE last_seen_at_ms < ? ORDER BY last_seen_at_ms LIMIT ?`).pluck(),
      expiredLeases: p(`SELECT t.task_id, t.queue, t.attempts, t.max_attempts, t.worker_id, t.target_worker_id,
        COALESCE(q.max_attempts, ${DEFAULT_POLICY.maxAttempts}) AS queue_max_attempts
        FROM tasks t LEFT JOIN queues q ON q.queue = t.queue
        WHERE t.state = 'started' AND t.lease_expires_at_ms < ? ORDER BY t.lease_expires_at_ms LIMIT ?`),
      failedTask: p(`SELECT queue, data, target_worker_id FROM tasks WHERE task_id = ? AND state = 'failed'`),
      retryFailed: p(`UPDATE tasks SET state = 'ready', attempts = 0, run_at_ms = @nowMs, finished_at_ms = NULL, fail_reason = NULL,
        worker_id = NULL, lease_expires_at_ms = NULL, updated_at_ms = @nowMs, queue = @queue, data = COALESCE(@data, data),
        target_worker_id = @targetWorkerId, history = json_insert(history, '$[#]', json(@entry))
        WHERE task_id = @taskId AND state = 'failed'`),
      deleteFailed: p(`DELETE FROM tasks WHERE task_id = ? AND state = 'failed'`),
      deleteWaitingOfQueue: p(`DELETE FROM tasks WHERE queue = ? AND state IN ('scheduled', 'ready')`),
      deleteQueue: p(`DELETE FROM queues WHERE queue = ?`),
      pruneFinished: p(`DELETE FROM tasks WHERE seq IN (SELECT seq FROM tasks WHERE state IN ('succeeded', 'cancelled')
        AND finished_at_ms < ? ORDER BY finished_at_ms LIMIT ?)`),
      pruneThroughput: p(`DELETE FROM throughput WHERE minute_ms < ?`),
      allQueues: p(`SELECT * FROM queues`),
      counts: p(`SELECT queue, state, n FROM task_counts WHERE n > 0`),
      workerQueueNames: p(`SELECT DISTINCT queue FROM worker_queues`).pluck(),
      totals: p(`SELECT * FROM queue_totals`),
      listTasks: p(`SELECT * FROM tasks WHERE queue = ? AND state = ? ORDER BY seq DESC LIMIT ? OFFSET ?`),
      addCounter: p(`INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT DO UPDATE SET value = value + excluded.value`),
      counter: p(`SELECT value FROM counters WHERE name = ?`).pluck(),
      idempotencyRecord: p(`SELECT body_hash, answer, expires_at_ms FROM idempotency WHERE publisher = ? AND key = ? AND expires_at_ms > ?`),
      putIdempotency: p(`INSERT OR REPLACE INTO idempotency (publisher, key, body_hash, answer, expires_at_ms) VALUES (?, ?, ?, ?, ?)`),
      pruneIdempotency: p(`DELETE FROM idempotency WHERE expires_at_ms <= ?`),
      addTaskCount: p(`INSERT INTO task_counts (queue, state, n) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n`),
      addTotals: p(`INSERT INTO queue_totals (queue, published, started, succeeded) VALUES (?, ?, ?, ?)
        ON CONFLICT DO UPDATE SET published = published + excluded.published, started = started + excluded.started,
          succeeded = succeeded + excluded.succeeded`),
      addMinute: p(`INSERT INTO throughput (minute_ms, queue, published, started, succeeded) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT DO UPDATE SET published = published + excluded.published, started = started + excluded.started,
          succeeded = succeeded + excluded.succeeded`),
    };
  }

  /** "Cannot reach or write the file" becomes StoreUnavailableError; anything else is a bug and passes. */
  private unavailable(e: unknown): unknown {
    const code = (e as { code?: unknown }).code;
    if ((typeof code === 'string' && UNAVAILABLE.test(code)) || !this.db.open) {
      return new StoreUnavailableError(`SQLite store ${this.file}: ${(e as Error).message}`);
    }
    return e;
  }

  private run<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (e) {
      return Promise.reject(this.unavailable(e));
    }
  }

  /** Group commit: every write that arrives while a commit syncs (or in the same event-loop turn)
   *  shares the next IMMEDIATE transaction, so one fsync covers them all and commits per second stop
   *  bounding requests per second. A write that throws is undone alone and the others still commit.
   *  A 201 is answered after the commit, so still durable. */
  private readonly commits = new GroupCommit<{ work: () => unknown; mayLose: boolean }>((batch) => this.commitBatch(batch));

  /** mayLose: a write whose loss in a power cut is harmless (a claim: the task would only be handed
   *  out again, as at-least-once allows); a batch of only such writes skips the fsync. A later
   *  durable commit syncs the WAL, and those writes with it; a process crash loses nothing. */
  private write<T>(work: () => T, opts: { mayLose?: boolean } = {}): Promise<T> {
    return this.commits.add<T>({ work, mayLose: opts.mayLose === true });
  }

  /** One batch in one transaction (made once, in the constructor: better-sqlite3 builds a wrapper
   *  per transaction() call, 5% of a publish). No savepoint per write: SQLite copies every page a
   *  savepoint touches into a sub-journal, which doubled the cost of a claim. */
  private readonly batchTransaction: Database.Transaction<(batch: { work: () => unknown }[], outcomes: Outcome[]) => void>;
  /** The rare path, after a write threw and the batch was rolled back: the batch again, each write
   *  in a savepoint of its own, so only the failing one is undone. Writes are plain reads and writes
   *  of the database, so running them again after a rollback is the same as running them once. */
  private readonly isolatedBatchTransaction: Database.Transaction<(batch: { work: () => unknown }[], outcomes: Outcome[]) => void>;

  private commitBatch(batch: { work: () => unknown; mayLose: boolean }[]): Outcome[] {
    const outcomes: Outcome[] = [];
    try {
      const sync = batch.every((w) => w.mayLose) ? 'NORMAL' : this.durableSync;
      if (sync !== this.currentSync) { this.db.pragma(`synchronous = ${sync}`); this.currentSync = sync; }
      // IMMEDIATE takes the write lock up front, so two processes never deadlock upgrading.
      this.clearCounts();
      try {
        this.batchTransaction.immediate(batch, outcomes);
      } catch (e) {
        this.clearCounts();
        if (!(e instanceof WriteFailed)) throw e;
        outcomes.length = 0;
        if (batch.length === 1) outcomes.push({ ok: false, error: this.unavailable(e.error) });
        else this.isolatedBatchTransaction.immediate(batch, outcomes);
      }
    } catch (e) {
      throw this.unavailable(e);
    }
    return outcomes;
  }

  async ping(): Promise<void> {
    await this.run(() => this.st.revision.get());
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  // ---- interests and queues ----------------------------------------------------------------

  interestsRevision(): Promise<number> {
    return this.run(() => this.st.revision.get() as number);
  }

  loadInterests() {
    return this.run(() => this.db.transaction(() => ({
      revision: this.st.revision.get() as number,
      queues: (this.st.queuesWithInterests.all() as { queue: string; interests: string }[])
        .map((r) => ({ queue: r.queue, interests: JSON.parse(r.interests) as InterestMap })),
    }))());
  }

  setInterests(queue: string, interests: InterestMap, nowMs: number) {
    return this.write(() => {
      const created = this.st.ensureQueue.run(queue, nowMs).changes === 1;
      this.st.setInterests.run(JSON.stringify(interests), queue);
      return { revision: this.st.bumpRevision.get() as number, created };
    });
  }

  removeInterests(queue: string): Promise<boolean> {
    return this.write(() => {
      if (!this.st.queueExists.get(queue)) return false;
      if (this.st.clearInterests.run(queue).changes === 1) this.st.bumpRevision.get();
      return true;
    });
  }

  getQueuePolicy(queue: string): Promise<QueuePolicy | null> {
    return this.run(() => {
      const q = this.st.queue.get(queue) as QueueRow | undefined;
      return q ? toPolicy(q) : null;
    });
  }

  updateQueuePolicy(queue: string, patch: Partial<QueuePolicy>, nowMs: number) {
    return this.write(() => {
      const created = this.st.ensureQueue.run(queue, nowMs).changes === 1;
      const sets: string[] = [];
      const values: unknown[] = [];
      for (const [field, column] of Object.entries(POLICY_COLUMNS) as [keyof QueuePolicy, string][]) {
        if (patch[field] === undefined) continue;
        sets.push(`${column} = ?`);
        const v = patch[field];
        values.push(typeof v === 'boolean' ? Number(v) : v);
      }
      // A new rate starts with a full bucket of one second's worth.
      if (patch.rateLimit !== undefined) sets.push('rate_tokens = NULL', 'rate_refilled_at_ms = NULL');
      if (sets.length) this.db.prepare(`UPDATE queues SET ${sets.join(', ')} WHERE queue = ?`).run(...values, queue);
      return { policy: toPolicy(this.st.queue.get(queue) as QueueRow), created };
    });
  }

  purgeWaitingTasks(queue: string): Promise<number> {
    return this.write(() => this.st.deleteWaitingOfQueue.run(queue).changes);
  }

  deleteQueue(queue: string): Promise<{ waitingTasksDeleted: number } | null> {
    return this.write(() => {
      const deleted = this.st.deleteWaitingOfQueue.run(queue).changes;
      const existed = this.st.deleteQueue.run(queue).changes === 1;
      if (!existed && deleted === 0) return null;
      this.st.bumpRevision.get();
      return { waitingTasksDeleted: deleted };
    });
  }

  // ---- events and tasks --------------------------------------------------------------------

  publishEvents(events: NewEvent[], nowMs: number, routedAtRevision?: number): Promise<PublishResult> {
    return this.write((): PublishResult => {
      if (routedAtRevision !== undefined) {
        const revision = this.st.revision.get() as number;
        if (revision !== routedAtRevision) return { outcome: 'interests_changed', revision };
      }
      const decided = planIdempotency(events, (publisher, key) => {
        const row = this.st.idempotencyRecord.get(publisher, key, nowMs) as { body_hash: string; answer: string; expires_at_ms: number } | undefined;
        return row ? { bodyHash: row.body_hash, answer: JSON.parse(row.answer), expiresAtMs: row.expires_at_ms } : null;
      });
      if ('conflict' in decided) return { outcome: 'idempotency_conflict', ...decided.conflict };
      const answers: PublishedEvent[] = [];
      const added = new Map<string, number>();
      for (const [i, plan] of decided.plans.entries()) {
        if (plan.kind === 'replay') { answers.push(replayed(plan.answer)); continue; }
        if (plan.kind === 'same-as') { answers.push(replayed(answers[plan.index]!)); continue; }
        const ev = events[i]!;
        const answer = this.insertEvent(ev, nowMs, added);
        if (ev.idempotency) this.st.putIdempotency.run(ev.publisher, ev.idempotency.key, ev.idempotency.bodyHash, JSON.stringify(answer), ev.idempotency.expiresAtMs);
        answers.push(answer);
      }
      this.countAdded(added, nowMs);
      return { outcome: 'ok', events: answers };
    });
  }

  /** A worker's last-seen time, refreshed at most once a second: worker timeouts are minutes, and
   *  a write of the workers row (and its index) on every claim and report cost more than that is worth. */
  private touch(worker: WorkerRow, nowMs: number): void {
    if (nowMs - worker.last_seen_at_ms >= 1000) this.st.touchWorker.run(nowMs, worker.worker_id);
  }

  /** New tasks: added maps "queue\0state" to how many. */
  private countAdded(added: Map<string, number>, nowMs: number): void {
    for (const [k, n] of added) {
      const [queue, state] = k.split('\u0000') as [string, string];
      this.countTasks(queue, state, n);
      this.countWork(queue, nowMs, 'published', n);
    }
  }

  /** n tasks of a queue moved ready → started (a claim) or started → succeeded (a report). */
  private countHotMoves(queue: string, to: 'started' | 'succeeded', n: number, nowMs: number): void {
    this.countTasks(queue, to === 'started' ? 'ready' : 'started', -n);
    this.countTasks(queue, to, n);
    this.countWork(queue, nowMs, to, n);
  }

  /* Counts the store keeps itself rather than by trigger: new tasks (migration 3) and the two hot
   * moves (migration 5). Added up over a group-commit batch and written once, before it commits
   * (flushCounts, also before a write reads task_counts): per write, those upserts cost as much as
   * the writes. Every count is a delta, so the order against the triggers' own does not matter. */
  private readonly pendingTaskCounts = new Map<string, number>();
  private readonly pendingWork = new Map<string, { queue: string; minuteMs: number; published: number; started: number; succeeded: number }>();

  private countTasks(queue: string, state: string, n: number): void {
    const key = `${queue}\u0000${state}`;
    this.pendingTaskCounts.set(key, (this.pendingTaskCounts.get(key) ?? 0) + n);
  }

  private countWork(queue: string, nowMs: number, field: 'published' | 'started' | 'succeeded', n: number): void {
    const minuteMs = Math.floor(nowMs / 60_000) * 60_000;
    const key = `${queue}\u0000${minuteMs}`;
    let w = this.pendingWork.get(key);
    if (!w) { w = { queue, minuteMs, published: 0, started: 0, succeeded: 0 }; this.pendingWork.set(key, w); }
    w[field] += n;
  }

  private flushCounts(): void {
    for (const [key, n] of this.pendingTaskCounts) {
      if (n === 0) continue;
      const [queue, state] = key.split('\u0000') as [string, string];
      this.st.addTaskCount.run(queue, state, n);
    }
    for (const w of this.pendingWork.values()) {
      this.st.addTotals.run(w.queue, w.published, w.started, w.succeeded);
      this.st.addMinute.run(w.minuteMs, w.queue, w.published, w.started, w.succeeded);
    }
    this.clearCounts();
  }

  private clearCounts(): void {
    this.pendingTaskCounts.clear();
    this.pendingWork.clear();
  }

  /** Inside a write: one event and all its copies. */
  private insertEvent(ev: NewEvent, nowMs: number, added: Map<string, number>): PublishedEvent {
    const out: PublishedEvent = { eventId: ev.eventId, status: publishStatus(ev, nowMs), replayed: false, tasks: [], deduplicated: [] };
    const data = JSON.stringify(ev.data);
    const state = ev.runAtMs > nowMs ? 'scheduled' : 'ready';
    const history = JSON.stringify([{ atMs: nowMs, what: 'created', publisher: ev.publisher, ...(ev.origin ? { origin: ev.origin } : {}) }]);
    for (const { queue, route } of ev.routes) {
      if (ev.singularlyEnqueue && ev.uniqueKey !== null && this.st.waitingWithKey.get(queue, ev.uniqueKey)) {
        out.deduplicated.push(queue);
        continue;
      }
      const workers = ev.scope === 'all' ? (this.st.workersOfQueue.all(queue) as string[]) : [];
      const targets = workers.length ? workers : [null];
      for (const targetWorkerId of targets) {
        const taskId = timeOrderedId();
        this.st.insertTask.run(taskId, ev.eventId, queue, ev.publisher, data, state, ev.priority, Math.round(ev.runAtMs), nowMs,
          nowMs, ev.maxAttempts, ev.uniqueKey, ev.singularlyRun ? 1 : 0, targetWorkerId, JSON.stringify(route), history);
        out.tasks.push({ taskId, queue, state, targetWorkerId });
        const k = `${queue}\u0000${state}`;
        added.set(k, (added.get(k) ?? 0) + 1);
      }
    }
    return out;
  }

  claimTasks(workerId: string, count: number, nowMs: number, rules: TransitionRules): Promise<ClaimResult> {
    return this.write((): ClaimResult => {
      const worker = this.st.worker.get(workerId) as WorkerRow | undefined;
      if (!worker) return { outcome: 'worker_not_found' };
      this.touch(worker, nowMs);
      // The probe is an index seek; the UPDATE, even one that changes nothing, costs a statement journal.
      if (this.st.anyDue.get(nowMs)) this.st.promoteDue.run(nowMs, nowMs, 1000);
      const claimed: WorkTask[] = [];
      for (const queue of JSON.parse(worker.queues) as string[]) {
        if (claimed.length >= count) break;
        const q = this.st.queue.get(queue) as QueueRow | undefined;
        // The started count is read only when a concurrency cap needs it (claims are the hot path).
        if (q?.concurrency != null) this.flushCounts();
        const startedNow = q?.concurrency != null ? ((this.st.countInState.get(queue, 'started') as number | undefined) ?? 0) : 0;
        const { room, tokens } = roomToStart({ policy: toPolicy(q), started: startedNow, rate: q ? rateOf(q) : null }, count - claimed.length, nowMs);
        if (room <= 0) continue;
        const lease = nowMs + leaseMs(q?.lease_seconds ?? null, rules.defaultLeaseSeconds);
        const keysStarted = new Set<string>();
        let started = 0;
        for (let offset = 0; started < room; ) {
          const pageSize = room - started;
          const batch = (pageSize === 1 && offset === 0
            ? this.firstCandidate(queue, workerId)
            : this.st.readyCandidates.all({ queue, workerId, upTo: pageSize + offset, limit: pageSize, offset })) as { seq: number; unique_key: string | null; singularly_run: number }[];
          const chosen: number[] = [];
          for (const c of batch) {
            if (started + chosen.length >= room) break;
            // singularlyRun: the later task waits while one with its key is started in this queue.
            if (c.singularly_run && c.unique_key !== null) {
              if (keysStarted.has(c.unique_key) || this.st.startedWithKey.get(queue, c.unique_key)) { offset++; continue; }
              keysStarted.add(c.unique_key);
            }
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
        if (started) this.countHotMoves(queue, 'started', started, nowMs);
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
    const mineFirst = mine.priority > any.priority || (mine.priority === any.priority
      && (mine.run_at_ms < any.run_at_ms || (mine.run_at_ms === any.run_at_ms && mine.seq < any.seq)));
    return [mineFirst ? mine : any];
  }

  reportTasks(workerId: string, reports: Report[], nowMs: number, rules: TransitionRules): Promise<ReportResult> {
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
        if (row.state === 'succeeded' || row.state === 'failed' || row.state === 'cancelled') return { outcome: 'task_finished', taskId: r.taskId };
        if (row.state !== 'started' || row.worker_id !== workerId) return { outcome: 'task_not_owned', taskId: r.taskId };
        if (r.state === 'progress') {
          const q = this.st.queue.get(row.queue) as QueueRow | undefined;
          const leaseExpiresAtMs = nowMs + leaseMs(q?.lease_seconds ?? null, rules.defaultLeaseSeconds);
          this.st.extendLease.run({ taskId: r.taskId, workerId, leaseExpiresAtMs });
          return { outcome: 'ok', taskId: r.taskId, queue: row.queue, state: 'started', startedAtMs: row.updated_at_ms, leaseExpiresAtMs };
        }
        done++;
        const reEnqueuedTaskId = r.reEnqueue ? this.insertCopy(row, nowMs) : undefined;
        if (r.state === 'success') {
          this.st.succeed.run({ taskId: r.taskId, workerId, nowMs, result, reEnqueuedTaskId: reEnqueuedTaskId ?? null });
          succeeded.set(row.queue, (succeeded.get(row.queue) ?? 0) + 1);
          return { outcome: 'ok', taskId: r.taskId, queue: row.queue, state: 'succeeded', startedAtMs: row.updated_at_ms, ...(reEnqueuedTaskId ? { reEnqueuedTaskId } : {}) };
        }
        const policy = toPolicy(this.st.queue.get(row.queue) as QueueRow | undefined);
        const plan = planFail({ attempts: row.attempts, maxAttempts: row.max_attempts, runAtMs: row.run_at_ms }, policy,
          { failReason: r.failReason, reEnqueued: reEnqueuedTaskId !== undefined, draw: r.draw ?? 0.5, jitter: rules.backoffJitter }, nowMs);
        const retry = plan.retryAtMs !== undefined ? { retryAtMs: plan.retryAtMs } : {};
        const also = reEnqueuedTaskId ? { reEnqueuedTaskId } : {};
        this.st.failTo.run({ taskId: r.taskId, ownerId: workerId, state: plan.to, runAtMs: plan.runAtMs, nowMs, reason: plan.reason, result,
          finishedAtMs: plan.finishedAtMs, keepWorker: plan.keepWorker ? workerId : null, targetWorkerId: row.target_worker_id,
          entry: entry({ atMs: nowMs, what: 'failed', workerId, attempt: row.attempts, reason: plan.reason, ...retry, ...also }) });
        return { outcome: 'ok', taskId: r.taskId, queue: row.queue, state: plan.to, startedAtMs: row.updated_at_ms, ...retry, ...also };
      });
      if (done) this.st.countDone.run(done, workerId);
      for (const [queue, n] of succeeded) this.countHotMoves(queue, 'succeeded', n, nowMs);
      return { outcome: 'ok', reports: outcomes };
    });
  }

  /** A fresh ready copy of a task in its queue (reEnqueue). */
  private insertCopy(row: TaskRow, nowMs: number): string {
    const taskId = timeOrderedId();
    this.st.insertTask.run(taskId, row.event_id, row.queue, row.publisher, row.data, 'ready', row.priority, nowMs, nowMs,
      nowMs, row.max_attempts, row.unique_key, row.singularly_run, row.target_worker_id, row.route,
      JSON.stringify([{ atMs: nowMs, what: 'created', publisher: row.publisher, reEnqueuedFrom: row.task_id }]));
    this.countAdded(new Map([[`${row.queue}\u0000ready`, 1]]), nowMs);
    return taskId;
  }

  cancelWaitingTasks(sel: { taskId: string } | { eventId: string }, nowMs: number) {
    return this.write((): { cancelled: number } | 'not_waiting' | null => {
      const e = entry({ atMs: nowMs, what: 'cancelled' });
      if ('taskId' in sel) {
        const row = this.st.taskById.get(sel.taskId) as TaskRow | undefined;
        if (!row) return null;
        if (row.state !== 'scheduled' && row.state !== 'ready') return 'not_waiting';
        return { cancelled: this.st.cancelTask.run({ taskId: sel.taskId, nowMs, entry: e }).changes };
      }
      const cancelled = this.st.cancelEvent.run({ eventId: sel.eventId, nowMs, entry: e }).changes;
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

  // ---- workers -----------------------------------------------------------------------------

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
        started.set(r.worker_id, [...(started.get(r.worker_id) ?? []), r.task_id]);
      }
      return (this.st.allWorkers.all() as WorkerRow[]).map((w) => toWorker(w, started.get(w.worker_id) ?? []));
    })());
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
  private removeWorkerIds(ids: string[], nowMs: number, why: string): WorkersRemoved {
    let tasksReturned = 0; let tasksCancelled = 0;
    for (const workerId of ids) {
      tasksReturned += this.st.returnTasksOfWorker.run({ workerId, nowMs, entry: entry({ atMs: nowMs, what: 'returned', workerId, reason: why }) }).changes;
      tasksCancelled += this.st.cancelTargetedOfWorker.run({ workerId, nowMs, entry: entry({ atMs: nowMs, what: 'cancelled', workerId, reason: removedCopyReason(why) }) }).changes;
      this.st.deleteWorkerQueues.run(workerId);
      this.st.deleteWorker.run(workerId);
    }
    return { workers: ids.length, tasksReturned, tasksCancelled };
  }

  /** The queues a worker serves now, or null when it does not exist (for targetOnReturn). */
  private workerQueues(workerId: string | null): string[] | null {
    if (workerId === null) return null;
    const w = this.st.worker.get(workerId) as WorkerRow | undefined;
    return w ? JSON.parse(w.queues) : null;
  }

  // ---- failed queue ------------------------------------------------------------------------

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
        const workerQueues = this.workerQueues(row.target_worker_id);
        const target = targetOnReturn(row.target_worker_id, queue, workerQueues);
        const task = { queue: row.queue, data: JSON.parse(row.data), targetWorkerId: row.target_worker_id };
        n += this.st.retryFailed.run({ taskId, nowMs, queue, data, targetWorkerId: target.targetWorkerId,
          entry: entry(retriedEntry(task, opts, target, workerQueues === null, nowMs)) }).changes;
      }
      return n;
    });
  }

  deleteFailedTasks(sel: FailedSelection): Promise<number> {
    return this.write(() => {
      let n = 0;
      for (const taskId of this.selectFailedIds(sel)) n += this.st.deleteFailed.run(taskId).changes;
      return n;
    });
  }

  // ---- schedules ---------------------------------------------------------------------------

  putSchedule(def: ScheduleDefinition, nowMs: number) {
    return this.write(() => {
      const created = !this.db.prepare(`SELECT 1 FROM schedules WHERE name = ?`).pluck().get(def.name);
      return { created, schedule: toSchedule(this.db.prepare(`INSERT INTO schedules (name, cron, timezone, event, paused, created_at_ms, updated_at_ms, last_tick_ms)
      VALUES (@name, @cron, @timezone, @event, @paused, @nowMs, @nowMs, @nowMs)
      ON CONFLICT (name) DO UPDATE SET cron = excluded.cron, timezone = excluded.timezone, event = excluded.event,
        paused = excluded.paused, updated_at_ms = excluded.updated_at_ms, last_tick_ms = MAX(last_tick_ms, excluded.last_tick_ms)
      RETURNING *`).get({ ...def, event: JSON.stringify(def.event), paused: Number(def.paused), nowMs }) as ScheduleRow) };
    });
  }

  getSchedule(name: string): Promise<ScheduleRecord | null> {
    return this.run(() => {
      const r = this.db.prepare(`SELECT * FROM schedules WHERE name = ?`).get(name) as ScheduleRow | undefined;
      return r ? toSchedule(r) : null;
    });
  }

  listSchedules(): Promise<ScheduleRecord[]> {
    return this.run(() => (this.db.prepare(`SELECT * FROM schedules ORDER BY name`).all() as ScheduleRow[]).map(toSchedule));
  }

  deleteSchedule(name: string): Promise<boolean> {
    return this.write(() => this.db.prepare(`DELETE FROM schedules WHERE name = ?`).run(name).changes === 1);
  }

  setSchedulePaused(name: string, paused: boolean, nowMs: number): Promise<ScheduleRecord | null> {
    return this.write(() => {
      const r = this.db.prepare(`UPDATE schedules SET paused = @paused, updated_at_ms = @nowMs,
        last_tick_ms = CASE WHEN @paused = 0 AND paused = 1 THEN MAX(last_tick_ms, @nowMs) ELSE last_tick_ms END
        WHERE name = @name RETURNING *`).get({ name, paused: Number(paused), nowMs }) as ScheduleRow | undefined;
      return r ? toSchedule(r) : null;
    });
  }

  recordScheduleFiring(name: string, fromTickMs: number, f: ScheduleFiring): Promise<boolean> {
    return this.write(() => this.db.prepare(`UPDATE schedules SET last_tick_ms = @lastTickMs, last_fired_at_ms = @lastFiredAtMs,
      last_event_id = @lastEventId, last_missed_ticks = @lastMissedTicks WHERE name = @name AND last_tick_ms = @fromTickMs`)
      .run({ name, fromTickMs, ...f }).changes === 1);
  }

  // ---- sweeps ------------------------------------------------------------------------------

  promoteDueTasks(nowMs: number, limit: number): Promise<number> {
    return this.write(() => this.st.promoteDue.run(nowMs, nowMs, limit).changes);
  }

  expireLeases(nowMs: number, limit: number) {
    return this.write(() => {
      let returned = 0; let failed = 0;
      type Expired = Pick<TaskRow, 'task_id' | 'queue' | 'attempts' | 'max_attempts' | 'worker_id' | 'target_worker_id'> & { queue_max_attempts: number };
      for (const t of this.st.expiredLeases.all(nowMs, limit) as Expired[]) {
        const plan = planLeaseExpiry({ attempts: t.attempts, maxAttempts: t.max_attempts }, t.queue_max_attempts, nowMs);
        const workerQueues = this.workerQueues(t.target_worker_id);
        const target = targetOnReturn(t.target_worker_id, t.queue, workerQueues);
        this.st.failTo.run({ taskId: t.task_id, ownerId: t.worker_id, state: plan.to, runAtMs: nowMs, nowMs, reason: plan.reason, result: null,
          finishedAtMs: plan.finishedAtMs, keepWorker: null, targetWorkerId: target.targetWorkerId,
          entry: entry({ atMs: nowMs, what: 'lease-expired', attempt: t.attempts, reason: plan.reason,
            ...(target.released ? { released: releasedReason(t.target_worker_id!, t.queue, workerQueues === null) } : {}) }) });
        if (plan.to === 'failed') failed++; else returned++;
      }
      return { returned, failed };
    });
  }

  reapIdleWorkers(idleBeforeMs: number, nowMs: number, limit: number) {
    return this.write(() => this.removeWorkerIds(this.st.idleWorkers.all(idleBeforeMs, limit) as string[], nowMs, 'worker timed out'));
  }

  pruneFinishedTasks(nowMs: number, keepFinishedMs: number, limit: number): Promise<number> {
    return this.write(() => {
      this.st.pruneThroughput.run(nowMs - THROUGHPUT_KEEP_MS);
      this.st.pruneIdempotency.run(nowMs);
      return this.st.pruneFinished.run(nowMs - keepFinishedMs, limit).changes;
    });
  }

  // ---- status ------------------------------------------------------------------------------

  queueSummaries(queue?: string): Promise<QueueSummary[]> {
    return this.run(() => this.db.transaction(() => {
      const byName = new Map<string, QueueSummary>();
      const get = (name: string) => {
        let s = byName.get(name);
        if (!s) { s = { name, counts: emptyCounts(), policy: { ...DEFAULT_POLICY }, declared: false, interests: null, rate: null }; byName.set(name, s); }
        return s;
      };
      for (const q of this.st.allQueues.all() as QueueRow[]) {
        const s = get(q.queue);
        s.declared = true; s.policy = toPolicy(q); s.interests = q.interests === null ? null : JSON.parse(q.interests); s.rate = rateOf(q);
      }
      for (const c of this.st.counts.all() as { queue: string; state: TaskState; n: number }[]) get(c.queue).counts[c.state] = c.n;
      for (const name of this.st.workerQueueNames.all() as string[]) get(name);
      const all = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return queue === undefined ? all : all.filter((s) => s.name === queue);
    })());
  }

  totals(): Promise<Record<string, Totals>> {
    return this.run(() => {
      const out: Record<string, Totals> = {};
      for (const r of this.st.totals.all() as (Totals & { queue: string })[]) {
        out[r.queue] = { published: r.published, started: r.started, succeeded: r.succeeded, failed: r.failed, retried: r.retried };
      }
      return out;
    });
  }

  throughput(sinceMs: number, queue?: string): Promise<ThroughputMinute[]> {
    return this.run(() => this.db.prepare(`SELECT minute_ms AS minuteMs, sum(published) AS published, sum(started) AS started,
      sum(succeeded) AS succeeded, sum(failed) AS failed, sum(retried) AS retried FROM throughput
      WHERE minute_ms >= ? ${queue === undefined ? '' : 'AND queue = ?'} GROUP BY minute_ms ORDER BY minute_ms`)
      .all(...(queue === undefined ? [sinceMs] : [sinceMs, queue])) as ThroughputMinute[]);
  }

  async addToCounter(name: string, by: number): Promise<void> {
    await this.write(() => this.st.addCounter.run(name, by));
  }

  counter(name: string): Promise<number> {
    return this.run(() => (this.st.counter.get(name) as number | undefined) ?? 0);
  }
}

export function openSqliteStore(file: string, opts: { sync: 'full' | 'normal' } = { sync: 'full' }): SqliteStore {
  return new SqliteStore(file, opts);
}
