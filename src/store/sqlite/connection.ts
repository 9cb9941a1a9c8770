// The SQLite connection every area of the driver shares: one file in WAL mode via better-sqlite3,
// writes grouped into one IMMEDIATE transaction per commit (several processes may share the file:
// SQLite has one writer, and a read inside the write transaction cannot be raced), the counts the
// store keeps itself, and what "unavailable" means. The areas (queues.ts, publish.ts, …) extend SqliteArea.
import Database from 'better-sqlite3';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { hasFieldText } from '../../fields.js';
import { migrate } from './schema.js';
import type { Clock } from '../../clock.js';
import { GroupCommit, type Outcome } from '../group-commit.js';
import { StoreUnavailableError } from '../store.js';
import { TASK_COLUMNS, type WorkerRow } from './rows.js';
import { countsOfMove, type MoveCounts, type Place, type WorkCount } from '../../lifecycle/counts.js';

/** A write of a group-commit batch threw (as opposed to BEGIN or COMMIT failing). */
class WriteFailed {
  constructor(readonly error: unknown) {}
}

/** Another process holds the write lock: wait this long synchronously, then retry after a pause
 *  that frees the event loop, for up to BUSY_BUDGET_MS before answering 503. One process freezing
 *  another's event loop for seconds (a 10 s busy wait) was one of the hostile review's findings. */
const BUSY_WAIT_MS = 20;
const BUSY_BUDGET_MS = 5000;
const isBusy = (e: unknown) => (e as { code?: unknown })?.code === 'SQLITE_BUSY';

const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|CORRUPT|NOTADB|PROTOCOL)/;

export class SqliteConnection {
  readonly db: Database.Database;
  /** The synchronous mode of commits that must survive power loss (SWITCHYARD_SYNC). */
  private readonly durableSync: 'FULL' | 'NORMAL';
  private currentSync: 'FULL' | 'NORMAL';
  readonly shared;
  private readonly countStatements;

  private readonly clock: Clock;

  constructor(readonly file: string, opts: { sync: 'full' | 'normal'; clock: Clock }) {
    this.clock = opts.clock;
    if (file !== ':memory:') {
      // Owner-only: the file holds payloads and push secrets (SQLite gives -wal and -shm the same mode).
      mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
      if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
    }
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
    // Statement journals (multi-row UPDATEs) in memory, not in temp files.
    this.db.pragma('temp_store = MEMORY');
    
    this.durableSync = opts.sync === 'full' ? 'FULL' : 'NORMAL';
    this.db.pragma(`synchronous = ${this.durableSync}`);
    this.currentSync = this.durableSync;
    migrate(this.db, opts.clock.nowMs());
    // From here a held lock blocks the event loop at most BUSY_WAIT_MS at a time: commitBatch waits
    // for it asynchronously (start-up's migrations above may wait the long way, nothing else runs).
    this.db.pragma(`busy_timeout = ${BUSY_WAIT_MS}`);
    // The failed queue's "field = value" filter reads payloads exactly as routing does, in one place.
    this.db.function('switchyard_has_field_text', { deterministic: true }, (data, fieldPath, value) =>
      (hasFieldText(JSON.parse(String(data)), String(fieldPath), String(value)) ? 1 : 0));
    const p = (sql: string) => this.db.prepare(sql);
    // Statements several areas use; each area prepares its own besides.
    this.shared = {
      promoteDue: p(`UPDATE tasks SET state = 'ready', updated_at_ms = ? WHERE seq IN
        (SELECT seq FROM tasks WHERE state = 'scheduled' AND run_at_ms <= ? ORDER BY run_at_ms LIMIT ?) RETURNING queue`).pluck(),
      revision: p(`SELECT value FROM meta WHERE key = 'interests_revision'`).pluck(),
      bumpRevision: p(`UPDATE meta SET value = value + 1 WHERE key = 'interests_revision' RETURNING value`).pluck(),
      queue: p(`SELECT * FROM queues WHERE queue = ?`),
      ensureQueue: p(`INSERT INTO queues (queue, created_at_ms) VALUES (?, ?) ON CONFLICT DO NOTHING`),
      worker: p(`SELECT * FROM workers WHERE worker_id = ?`),
      touchWorker: p(`UPDATE workers SET last_seen_at_ms = ? WHERE worker_id = ?`),
      taskById: p(`SELECT ${TASK_COLUMNS} FROM tasks WHERE task_id = ?`),
      // Positional: binding the parameters by name cost a fifth of an insert.
      insertTask: p(`INSERT INTO tasks (task_id, event_id, queue, publisher, data, state, priority, run_at_ms, created_at_ms,
        updated_at_ms, max_attempts, unique_key, singularly_run, target_worker_id, route, history, traceparent, push_url)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      countInState: p(`SELECT n FROM task_counts WHERE queue = ? AND state = ?`).pluck(),
      workersOfQueue: p(`SELECT worker_id FROM worker_queues WHERE queue = ? ORDER BY worker_id`).pluck(),
      failTo: p(`UPDATE tasks SET state = @state, run_at_ms = @runAtMs, finished_at_ms = @finishedAtMs, updated_at_ms = @nowMs,
        lease_expires_at_ms = NULL, fail_reason = @reason, result = COALESCE(@result, result), worker_id = @keepWorker,
        history = json_insert(history, '$[#]', json(@entry)), target_worker_id = @targetWorkerId
        WHERE task_id = @taskId AND state = 'started' AND worker_id IS @ownerId`),
    };
    this.countStatements = {
      addTaskCount: p(`INSERT INTO task_counts (queue, state, n) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n`),
      addTotals: p(`INSERT INTO queue_totals (queue, published, started, succeeded, failed, retried) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT DO UPDATE SET published = published + excluded.published, started = started + excluded.started,
          succeeded = succeeded + excluded.succeeded, failed = failed + excluded.failed, retried = retried + excluded.retried`),
      addMinute: p(`INSERT INTO throughput (minute_ms, queue, published, started, succeeded, failed, retried) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT DO UPDATE SET published = published + excluded.published, started = started + excluded.started,
          succeeded = succeeded + excluded.succeeded, failed = failed + excluded.failed, retried = retried + excluded.retried`),
    };
  }

  /** "Cannot reach or write the file" becomes StoreUnavailableError; anything else is a bug and passes. */
  unavailable(e: unknown): unknown {
    const code = (e as { code?: unknown }).code;
    if ((typeof code === 'string' && UNAVAILABLE.test(code)) || !this.db.open) {
      return new StoreUnavailableError(`SQLite store ${this.file}: ${(e as Error).message}`, { cause: e });
    }
    return e;
  }

  run<T>(work: () => T): Promise<T> {
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
  write<T>(work: () => T, opts: { mayLose?: boolean } = {}): Promise<T> {
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

  private async commitBatch(batch: { work: () => unknown; mayLose: boolean }[]): Promise<Outcome[]> {
    const deadline = this.clock.nowMs() + BUSY_BUDGET_MS;
    for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
      try {
        return this.commitBatchOnce(batch);
      } catch (e) {
        // BUSY comes from BEGIN IMMEDIATE, before any write ran: the batch may simply run again.
        if (!(e instanceof StoreUnavailableError && isBusy((e as { cause?: unknown }).cause)) || this.clock.nowMs() + pause > deadline) throw e;
        await new Promise((r) => setTimeout(r, pause));
      }
    }
  }

  private commitBatchOnce(batch: { work: () => unknown; mayLose: boolean }[]): Outcome[] {
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
    await this.run(() => this.shared.revision.get());
  }

  async close(): Promise<void> {
    // Writes already queued commit first; one queued later finds the file closed (store_unavailable).
    await this.commits.drain();
    if (this.db.open) this.db.close();
  }

  /** A worker's last-seen time, refreshed at most once a second: worker timeouts are minutes, and
   *  a write of the workers row (and its index) on every claim and report cost more than that is worth. */
  touch(worker: WorkerRow, nowMs: number): void {
    if (nowMs - worker.last_seen_at_ms >= 1000) this.shared.touchWorker.run(nowMs, worker.worker_id);
  }

  /** n tasks made the same move: lifecycle/counts.ts says what it counts. Added up over a
   *  group-commit batch and written once before it commits (flushCounts, also before a write reads
   *  task_counts): per write, those upserts would cost as much as the writes themselves. */
  countMoves(from: Place, to: Place, nowMs: number, n = 1): void {
    this.applyCounts(countsOfMove(from, to), nowMs, n);
  }

  applyCounts(c: MoveCounts, nowMs: number, n = 1): void {
    if (n === 0) return;
    for (const { queue, state, by } of c.states) {
      const key = `${queue}\u0000${state}`;
      this.pendingTaskCounts.set(key, (this.pendingTaskCounts.get(key) ?? 0) + by * n);
    }
    if (c.work === null) return;
    const queue = c.states.at(-1)!.queue;
    const minuteMs = Math.floor(nowMs / 60_000) * 60_000;
    const key = `${queue}\u0000${minuteMs}`;
    let w = this.pendingWork.get(key);
    if (!w) { w = { queue, minuteMs, published: 0, started: 0, succeeded: 0, failed: 0, retried: 0 }; this.pendingWork.set(key, w); }
    w[c.work] += n;
  }

  /** Inside a write: scheduled tasks due by nowMs become ready (at most limit); returns how many. */
  promoteDue(nowMs: number, limit: number): number {
    const queues = this.shared.promoteDue.all(nowMs, nowMs, limit) as string[];
    for (const queue of queues) this.countMoves({ queue, state: 'scheduled' }, { queue, state: 'ready' }, nowMs);
    return queues.length;
  }

  private readonly pendingTaskCounts = new Map<string, number>();
  private readonly pendingWork = new Map<string, { queue: string; minuteMs: number } & Record<WorkCount, number>>();

  flushCounts(): void {
    for (const [key, n] of this.pendingTaskCounts) {
      if (n === 0) continue;
      const [queue, state] = key.split('\u0000') as [string, string];
      this.countStatements.addTaskCount.run(queue, state, n);
    }
    for (const w of this.pendingWork.values()) {
      this.countStatements.addTotals.run(w.queue, w.published, w.started, w.succeeded, w.failed, w.retried);
      this.countStatements.addMinute.run(w.minuteMs, w.queue, w.published, w.started, w.succeeded, w.failed, w.retried);
    }
    this.clearCounts();
  }

  private clearCounts(): void {
    this.pendingTaskCounts.clear();
    this.pendingWork.clear();
  }
}

/** Prepares one statement on the connection's database. */
export type Prepare = (sql: string) => Database.Statement;

/** Rows one write of a bulk change (a purge, a retry of the whole failed queue, removing many kept
 *  events) touches per commit: one commit for all of them held every other request until it ended
 *  (500,000 waiting purged: 2.6 s); between these, other writes get their turn. */
export const ROWS_PER_COMMIT = 1000;

/** One area of the driver: its own statements beside the connection's shared ones, and the
 *  connection's write, read and counting under the names the transitions use. */
export abstract class SqliteArea<Own extends object = object> {
  protected readonly db: Database.Database;
  protected readonly st: SqliteConnection['shared'] & Own;
  constructor(protected readonly c: SqliteConnection, statements: (p: Prepare) => Own = () => ({}) as Own) {
    this.db = c.db;
    this.st = { ...c.shared, ...statements((sql) => c.db.prepare(sql)) };
  }
  protected write<T>(work: () => T, opts: { mayLose?: boolean } = {}): Promise<T> { return this.c.write(work, opts); }
  /** A bulk change a part a commit, one part after another: part runs in a write of its own, given the
   *  answers of the parts committed before it, until one answers that it was the last. Each part's
   *  answer. A part may run again after a rollback (write), so it keeps nothing outside the file. */
  protected async writeParts<R extends { last: boolean }>(part: (done: readonly R[]) => R): Promise<R[]> {
    const done: R[] = [];
    do done.push(await this.write(() => part(done))); while (!done.at(-1)!.last);
    return done;
  }
  /** work over items, ROWS_PER_COMMIT of them a part (no items: no write): each part's answer. */
  protected async writeInParts<I, R>(items: readonly I[], work: (part: I[]) => R): Promise<R[]> {
    if (!items.length) return [];
    const parts = await this.writeParts<{ answer: R; last: boolean }>((done) => {
      const from = done.length * ROWS_PER_COMMIT;
      return { answer: work(items.slice(from, from + ROWS_PER_COMMIT)), last: from + ROWS_PER_COMMIT >= items.length };
    });
    return parts.map((p) => p.answer);
  }
  protected run<T>(work: () => T): Promise<T> { return this.c.run(work); }
  protected touch(worker: WorkerRow, nowMs: number): void { this.c.touch(worker, nowMs); }
  protected countMoves(from: Place, to: Place, nowMs: number, n = 1): void { this.c.countMoves(from, to, nowMs, n); }
  protected applyCounts(c: MoveCounts, nowMs: number, n = 1): void { this.c.applyCounts(c, nowMs, n); }
  protected flushCounts(): void { this.c.flushCounts(); }
}
