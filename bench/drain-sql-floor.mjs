#!/usr/bin/env node
// What the SQL of a drained task costs, and how much of it the indexes and the history rewrite are
// (issue 21: "fewer B-tree writes per task"; the batch drain's miss). Seeds N ready tasks through the
// SQLite store (dist/), then, on copies of that file with synchronous=OFF (no fsync: the statements
// alone), claims 100 at a time and reports each a success with UPDATEs of the same shape as
// src/store/sqlite/claim.ts and report.ts, once as they are and once with each of the indexes a
// transition rewrites dropped, or the history left unwritten. Prints µs a task for each, REPS times.
// Usage (after npm run build): node bench/drain-sql-floor.mjs; N (default 60,000), REPS (default 2).
import Database from 'better-sqlite3';
import { mkdtempSync, copyFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { openSqliteStore } from '../dist/src/store/sqlite/index.js';
import { systemClock } from '../dist/src/clock.js';

const N = Number(process.env.N ?? 60_000);
const REPS = Number(process.env.REPS ?? 2);
const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-drain-sql-'));
const seeded = path.join(dir, 'seeded.db');
const store = await openSqliteStore(seeded, { sync: 'off', clock: systemClock });
await store.setInterests('q', '*', 1);
const event = () => ({ eventId: randomUUID(), publisher: 'p', data: { n: 1 }, runAtMs: 1, priority: 0, scope: 'any', singularlyEnqueue: false, singularlyRun: false,
  uniqueKey: null, maxAttempts: null, idempotency: null, traceparent: null, pushUrl: null, routes: [{ queue: 'q', route: { interest: null } }] });
for (let i = 0; i < N; i += 1000) await store.publishEvents(Array.from({ length: Math.min(1000, N - i) }, event), 2);
await store.close();

const NO_HISTORY = 'no history rewrite';
const variants = {
  'as it is': [],
  [NO_HISTORY]: [],
  'no tasks_queue_state': ['tasks_queue_state'],
  'no tasks_lease': ['tasks_lease'],
  'no tasks_worker': ['tasks_worker'],
  'no tasks_finished': ['tasks_finished'],
  'none of these': ['tasks_queue_state', 'tasks_lease', 'tasks_worker', 'tasks_finished'],
};
try {
  for (let rep = 1; rep <= REPS; rep++) {
    for (const [name, dropped] of Object.entries(variants)) {
      const file = path.join(dir, 'copy.db');
      copyFileSync(seeded, file);
      const db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = OFF');
      for (const index of dropped) db.exec(`DROP INDEX ${index}`);
      const history = name === NO_HISTORY || name === 'none of these' ? ''
        : `, history = json_insert(history, '$[#]', json_object('atMs', @t, 'what', @what, 'workerId', @w, 'attempt', attempts))`;
      const pick = db.prepare(`SELECT seq FROM tasks WHERE queue = 'q' AND state = 'ready' AND target_worker_id IS NULL
        ORDER BY priority DESC, run_at_ms, seq LIMIT 100`).pluck();
      const claim = db.prepare(`UPDATE tasks SET state = 'started', worker_id = @w, attempts = attempts + 1, fail_reason = NULL,
        lease_expires_at_ms = @t, updated_at_ms = @t, started_at_ms = @t ${history}
        WHERE seq IN (SELECT value FROM json_each(@seqs)) AND state = 'ready' RETURNING task_id`);
      const succeed = db.prepare(`UPDATE tasks SET state = 'succeeded', finished_at_ms = @t, updated_at_ms = @t, lease_expires_at_ms = NULL,
        fail_reason = NULL, result = NULL ${history} WHERE task_id = @id AND state = 'started' AND worker_id = @w RETURNING queue, started_at_ms`);
      let claimNs = 0n; let reportNs = 0n; let n = 0;
      for (let t = 10; ; t++) {
        const t0 = process.hrtime.bigint();
        const ids = db.transaction(() => claim.all({ w: 'w1', t, what: 'started', seqs: JSON.stringify(pick.all()) }))();
        const t1 = process.hrtime.bigint();
        if (!ids.length) break;
        db.transaction(() => { for (const r of ids) succeed.get({ id: r.task_id, w: 'w1', t, what: 'succeeded' }); })();
        reportNs += process.hrtime.bigint() - t1; claimNs += t1 - t0; n += ids.length;
      }
      db.close();
      const us = (ns) => Number((Number(ns) / 1000 / n).toFixed(1));
      console.log(JSON.stringify({ rep, variant: name, tasks: n, claim_us: us(claimNs), report_us: us(reportNs), total_us: us(claimNs + reportNs) }));
    }
  }
} finally { rmSync(dir, { recursive: true, force: true }); }
