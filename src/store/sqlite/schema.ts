// SQLite schema as numbered, forward-only migrations. Each runs in one IMMEDIATE transaction that
// first records its own number, so two nodes starting on one file never both run it.
import type Database from 'better-sqlite3';

const MIGRATIONS: string[] = [
  /* 1: core */ `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO meta (key, value) VALUES ('interests_revision', 0);

  CREATE TABLE queues (
    queue TEXT PRIMARY KEY,
    interests TEXT,                       -- JSON: "*" or {keyPattern: valuePattern}; NULL = none
    paused INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 5,
    backoff_seconds REAL NOT NULL DEFAULT 10,
    max_backoff_seconds REAL NOT NULL DEFAULT 3600,
    lease_seconds REAL,
    rate_limit REAL,
    concurrency INTEGER,
    push_url TEXT,
    rate_tokens REAL,                     -- token bucket for rate_limit, shared by every node
    rate_refilled_at_ms INTEGER,
    created_at_ms INTEGER NOT NULL
  );

  CREATE TABLE tasks (
    seq INTEGER PRIMARY KEY,              -- arrival order
    task_id TEXT NOT NULL UNIQUE,
    event_id TEXT NOT NULL,
    queue TEXT NOT NULL,
    publisher TEXT NOT NULL,
    data TEXT NOT NULL,
    state TEXT NOT NULL,
    priority INTEGER NOT NULL,
    run_at_ms INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER,
    unique_key TEXT,
    singularly_run INTEGER NOT NULL DEFAULT 0,
    target_worker_id TEXT,
    worker_id TEXT,
    lease_expires_at_ms INTEGER,
    finished_at_ms INTEGER,
    updated_at_ms INTEGER NOT NULL,       -- time of the last transition (throughput buckets)
    fail_reason TEXT,
    result TEXT,
    route TEXT NOT NULL,
    history TEXT NOT NULL
  );
  -- The claim is an index seek on this, whatever the backlog.
  CREATE INDEX tasks_ready ON tasks (queue, priority DESC, run_at_ms, seq) WHERE state = 'ready';
  CREATE INDEX tasks_scheduled ON tasks (run_at_ms) WHERE state = 'scheduled';
  CREATE INDEX tasks_lease ON tasks (lease_expires_at_ms) WHERE state = 'started';
  CREATE INDEX tasks_worker ON tasks (worker_id) WHERE state = 'started';
  CREATE INDEX tasks_waiting_key ON tasks (queue, unique_key) WHERE state IN ('scheduled', 'ready') AND unique_key IS NOT NULL;
  CREATE INDEX tasks_started_key ON tasks (queue, unique_key) WHERE state = 'started' AND unique_key IS NOT NULL;
  CREATE INDEX tasks_failed ON tasks (finished_at_ms DESC, seq DESC) WHERE state = 'failed';
  CREATE INDEX tasks_failed_queue ON tasks (queue, finished_at_ms DESC, seq DESC) WHERE state = 'failed';
  CREATE INDEX tasks_queue_state ON tasks (queue, state, seq DESC);
  CREATE INDEX tasks_event ON tasks (event_id);
  CREATE INDEX tasks_finished ON tasks (finished_at_ms) WHERE state IN ('succeeded', 'cancelled');
  CREATE INDEX tasks_target ON tasks (target_worker_id) WHERE target_worker_id IS NOT NULL;

  CREATE TABLE workers (
    worker_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    queues TEXT NOT NULL,                 -- JSON array, priority order
    registered_at_ms INTEGER NOT NULL,
    last_seen_at_ms INTEGER NOT NULL,
    tasks_done INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX workers_seen ON workers (last_seen_at_ms);
  CREATE TABLE worker_queues (queue TEXT NOT NULL, worker_id TEXT NOT NULL, PRIMARY KEY (queue, worker_id)) WITHOUT ROWID;

  -- Kept exact as tasks move (by the store since migration 7), so status never counts rows.
  CREATE TABLE task_counts (queue TEXT NOT NULL, state TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (queue, state)) WITHOUT ROWID;
  CREATE TABLE queue_totals (
    queue TEXT PRIMARY KEY, published INTEGER NOT NULL DEFAULT 0, started INTEGER NOT NULL DEFAULT 0,
    succeeded INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, retried INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
  CREATE TABLE throughput (
    minute_ms INTEGER NOT NULL, queue TEXT NOT NULL, published INTEGER NOT NULL DEFAULT 0, started INTEGER NOT NULL DEFAULT 0,
    succeeded INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, retried INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (minute_ms, queue)
  ) WITHOUT ROWID;
  CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;

  CREATE TRIGGER tasks_counted_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO task_counts (queue, state, n) VALUES (NEW.queue, NEW.state, 1) ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO queue_totals (queue, published) VALUES (NEW.queue, 1) ON CONFLICT DO UPDATE SET published = published + 1;
    INSERT INTO throughput (minute_ms, queue, published) VALUES (NEW.created_at_ms / 60000 * 60000, NEW.queue, 1)
      ON CONFLICT DO UPDATE SET published = published + 1;
  END;
  CREATE TRIGGER tasks_counted_delete AFTER DELETE ON tasks BEGIN
    UPDATE task_counts SET n = n - 1 WHERE queue = OLD.queue AND state = OLD.state;
  END;
  CREATE TRIGGER tasks_counted_move AFTER UPDATE OF state, queue ON tasks
    WHEN OLD.state IS NOT NEW.state OR OLD.queue IS NOT NEW.queue BEGIN
    UPDATE task_counts SET n = n - 1 WHERE queue = OLD.queue AND state = OLD.state;
    INSERT INTO task_counts (queue, state, n) VALUES (NEW.queue, NEW.state, 1) ON CONFLICT DO UPDATE SET n = n + 1;
  END;
  -- Totals count transitions out of 'started': the work a queue did.
  CREATE TRIGGER tasks_totals_move AFTER UPDATE OF state ON tasks
    WHEN OLD.state IS NOT NEW.state AND (NEW.state = 'started' OR OLD.state = 'started') BEGIN
    INSERT INTO queue_totals (queue, started, succeeded, failed, retried) VALUES (NEW.queue,
      NEW.state = 'started', NEW.state = 'succeeded', NEW.state = 'failed',
      OLD.state = 'started' AND NEW.state IN ('ready', 'scheduled'))
      ON CONFLICT DO UPDATE SET started = started + excluded.started, succeeded = succeeded + excluded.succeeded,
        failed = failed + excluded.failed, retried = retried + excluded.retried;
    INSERT INTO throughput (minute_ms, queue, started, succeeded, failed, retried) VALUES (
      NEW.updated_at_ms / 60000 * 60000, NEW.queue,
      NEW.state = 'started', NEW.state = 'succeeded', NEW.state = 'failed',
      OLD.state = 'started' AND NEW.state IN ('ready', 'scheduled'))
      ON CONFLICT DO UPDATE SET started = started + excluded.started, succeeded = succeeded + excluded.succeeded,
        failed = failed + excluded.failed, retried = retried + excluded.retried;
  END;
  `,
  // 2: idempotency keys of publishes, with the answer to replay, until they expire.
  `
  CREATE TABLE idempotency (
    publisher TEXT NOT NULL, key TEXT NOT NULL, body_hash TEXT NOT NULL, answer TEXT NOT NULL,
    expires_at_ms INTEGER NOT NULL, PRIMARY KEY (publisher, key)
  ) WITHOUT ROWID;
  CREATE INDEX idempotency_expiry ON idempotency (expires_at_ms);
  `,
  // 3: new tasks are counted by the store once per batch and queue, not by a trigger once per row
  // (three upserts a task were most of a batch publish's cost).
  `
  DROP TRIGGER tasks_counted_insert;
  `,
  // 4: push delivery settings per queue, and schedules (recurring events, one firing per tick).
  `
  ALTER TABLE queues ADD COLUMN push_timeout_seconds REAL NOT NULL DEFAULT 30;
  ALTER TABLE queues ADD COLUMN push_secret TEXT;
  CREATE TABLE schedules (
    name TEXT PRIMARY KEY, cron TEXT NOT NULL, timezone TEXT, event TEXT NOT NULL, paused INTEGER NOT NULL DEFAULT 0,
    created_at_ms INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL, last_tick_ms INTEGER NOT NULL,
    last_fired_at_ms INTEGER, last_event_id TEXT, last_missed_ticks INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
  `,
  // 5: the two hot transitions (ready → started by a claim, started → succeeded by a report) are
  // counted by the store once per group-commit batch and queue; the triggers count every other move. Per row,
  // their upserts cost more than the transition itself. started_at_ms lets a report answer the
  // attempt's start time from the same UPDATE that closes it.
  `
  ALTER TABLE tasks ADD COLUMN started_at_ms INTEGER;
  DROP TRIGGER tasks_counted_delete;
  DROP TRIGGER tasks_counted_move;
  DROP TRIGGER tasks_totals_move;
  CREATE TRIGGER tasks_counted_move AFTER UPDATE OF state, queue ON tasks
    WHEN (OLD.state IS NOT NEW.state OR OLD.queue IS NOT NEW.queue) AND NOT (OLD.queue IS NEW.queue
      AND ((OLD.state = 'ready' AND NEW.state = 'started') OR (OLD.state = 'started' AND NEW.state = 'succeeded'))) BEGIN
    INSERT INTO task_counts (queue, state, n) VALUES (OLD.queue, OLD.state, -1) ON CONFLICT DO UPDATE SET n = n - 1;
    INSERT INTO task_counts (queue, state, n) VALUES (NEW.queue, NEW.state, 1) ON CONFLICT DO UPDATE SET n = n + 1;
  END;
  -- Counts are deltas: the store adds its own before the batch commits, maybe after a trigger's.
  CREATE TRIGGER tasks_counted_delete AFTER DELETE ON tasks BEGIN
    INSERT INTO task_counts (queue, state, n) VALUES (OLD.queue, OLD.state, -1) ON CONFLICT DO UPDATE SET n = n - 1;
  END;
  CREATE TRIGGER tasks_totals_move AFTER UPDATE OF state ON tasks
    WHEN OLD.state IS NOT NEW.state AND OLD.state = 'started' AND NEW.state <> 'succeeded' BEGIN
    INSERT INTO queue_totals (queue, failed, retried) VALUES (NEW.queue, NEW.state = 'failed', NEW.state IN ('ready', 'scheduled'))
      ON CONFLICT DO UPDATE SET failed = failed + excluded.failed, retried = retried + excluded.retried;
    INSERT INTO throughput (minute_ms, queue, failed, retried) VALUES (NEW.updated_at_ms / 60000 * 60000, NEW.queue,
      NEW.state = 'failed', NEW.state IN ('ready', 'scheduled'))
      ON CONFLICT DO UPDATE SET failed = failed + excluded.failed, retried = retried + excluded.retried;
  END;
  `,
  // 6: ready tasks indexed by whom they are for, so a claim seeks the copies for anyone and the
  // copies for its worker (scope all) instead of scanning past every other worker's copies: with 8
  // workers that never ask, a live worker's claim cost grew with its queue (5 ms to 15 ms a task over
  // 5,000 events, blocking publishes meanwhile; measured by bench/scope-all-claims.mjs).
  `
  DROP INDEX tasks_ready;
  CREATE INDEX tasks_ready_for ON tasks (queue, target_worker_id, priority DESC, run_at_ms, seq) WHERE state = 'ready';
  `,
  // 7: every move is counted by the store, through the one rule of lifecycle/counts.ts (Couchbase
  // counts by the same rule), so no trigger counts anything any more.
  `
  DROP TRIGGER tasks_counted_move;
  DROP TRIGGER tasks_counted_delete;
  DROP TRIGGER tasks_totals_move;
  `,
  // 8: API tokens (only a hash of each secret).
  `
  CREATE TABLE tokens (
    name TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    queues TEXT,
    created_at_ms INTEGER NOT NULL,
    last_used_at_ms INTEGER
  );
  `,
  // 9: the audit trail of admin changes.
  `
  CREATE TABLE audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms INTEGER NOT NULL,
    entry TEXT NOT NULL
  );
  CREATE INDEX audit_at ON audit (at_ms);
  `,
  // 10: a payload the copies of one event share (lifecycle/copies.ts sharesPayload) is stored once;
  // such copies hold '' as their data. It goes when the last copy holding it goes.
  `
  CREATE TABLE payloads (event_id TEXT PRIMARY KEY, data TEXT NOT NULL);
  CREATE TRIGGER payloads_released AFTER DELETE ON tasks WHEN OLD.data = '' BEGIN
    DELETE FROM payloads WHERE event_id = OLD.event_id AND NOT EXISTS (SELECT 1 FROM tasks WHERE event_id = OLD.event_id AND data = '');
  END;
  CREATE TRIGGER payloads_replaced AFTER UPDATE OF data ON tasks WHEN OLD.data = '' AND NEW.data <> '' BEGIN
    DELETE FROM payloads WHERE event_id = OLD.event_id AND NOT EXISTS (SELECT 1 FROM tasks WHERE event_id = OLD.event_id AND data = '');
  END;
  `,
  // 11: the W3C traceparent of the publish that made a task (trace-context.ts); NULL for most.
  `
  ALTER TABLE tasks ADD COLUMN traceparent TEXT;
  `,
  // 12: a task's own push target, and the queue policy that allows one.
  `
  ALTER TABLE tasks ADD COLUMN push_url TEXT;
  ALTER TABLE queues ADD COLUMN allow_task_push_url INTEGER NOT NULL DEFAULT 0;
  `,
  // 13: every change of a queue's interests, by the global revision it made (who: a token's name).
  // The interests a queue has now are its first entry.
  `
  CREATE TABLE interest_history (
    queue TEXT NOT NULL, revision INTEGER NOT NULL, interests TEXT, who TEXT, at_ms INTEGER NOT NULL, rollback_of INTEGER,
    PRIMARY KEY (queue, revision)
  ) WITHOUT ROWID;
  INSERT INTO interest_history (queue, revision, interests, who, at_ms)
    SELECT queue, (SELECT value FROM meta WHERE key = 'interests_revision'), interests, NULL, created_at_ms FROM queues WHERE interests IS NOT NULL;
  `,
  // 14: what routing leaves behind (routing-records.ts): logs of events (the what-if sample, unrouted
  // events), oldest first by seq; and each interest's match count, by its JSON text.
  `
  CREATE TABLE event_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, log TEXT NOT NULL, event_id TEXT NOT NULL, at_ms INTEGER NOT NULL, event TEXT NOT NULL);
  CREATE INDEX event_log_seq ON event_log (log, seq);
  CREATE INDEX event_log_id ON event_log (log, event_id);
  CREATE TABLE interest_matches (
    queue TEXT NOT NULL, interest TEXT NOT NULL, count INTEGER NOT NULL, last_match_ms INTEGER NOT NULL,
    PRIMARY KEY (queue, interest)
  ) WITHOUT ROWID;
  `,
  // 15: how many events each log holds, kept with every append, trim and removal: finding the
  // events beyond the cap by their offset walked the whole log (100,000) at every append.
  `
  CREATE TABLE event_log_counts (log TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO event_log_counts (log, n) SELECT log, count(*) FROM event_log GROUP BY log;
  `,
];

/** Brings the file to the newest schema. Safe to call from several processes at once. */
export function migrate(db: Database.Database, nowMs: number): number {
  db.exec('CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, applied_at_ms INTEGER NOT NULL)');
  MIGRATIONS.forEach((sql, i) => {
    const version = i + 1;
    const apply = db.transaction(() => {
      // Recording first, inside the IMMEDIATE transaction: a second node blocks here, then sees the row.
      const inserted = db.prepare('INSERT OR IGNORE INTO migrations (version, applied_at_ms) VALUES (?, ?)').run(version, nowMs);
      if (inserted.changes === 1) db.exec(sql);
    });
    apply.immediate();
  });
  return MIGRATIONS.length;
}
