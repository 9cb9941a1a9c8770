// The SQLite driver's query plans: no statement it prepares walks a whole table that grows with the
// tasks or events kept. Such a read looks fine on a test's few rows and holds the event loop for
// seconds at a big backlog (listing the workers once scanned every task: 52 ms at 100,000 failed).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { systemClock } from '../../src/clock.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { tempDir } from '../helpers/server.js';

/** Tables whose rows grow with the work: tasks, their payloads, the event logs, idempotency records. */
const GROWING = ['tasks', 'payloads', 'event_log', 'idempotency'];

describe('sqlite query plans', () => {
  it('every statement the store prepares seeks or walks an index of a growing table, never the table itself, and no write walks any table', async () => {
    const prepared = new Set<string>();
    const prepare = Database.prototype.prepare;
    Database.prototype.prepare = function (this: Database.Database, sql: string) {
      prepared.add(sql);
      return prepare.call(this, sql);
    } as typeof prepare;
    const file = path.join(tempDir(), 'plans.db');
    let store: Awaited<ReturnType<typeof openSqliteStore>>;
    try {
      store = await openSqliteStore(file, { sync: 'full', clock: systemClock });
      // Statements some calls prepare when first used.
      const nowMs = Date.now();
      await Promise.all([store.listWorkers(), store.queueSummaries(), store.throughput(nowMs - 60_000, nowMs), store.throughput(nowMs - 60_000, nowMs, 'q'),
        ...[{}, { queue: 'q' }, { reason: 'r' }, { search: 's' }, { queue: 'q', field: { path: 'a.b', value: 'v' } }].flatMap((f) =>
          [store.listFailedTasks(f, 50, 0), store.listFailedTasks(f, 50, 1_000_000)]),
        store.readEvents('unrouted', nowMs - 60_000), store.readEvents('unrouted', nowMs - 60_000, ['x']),
        store.readEventsPage('unrouted', nowMs - 60_000, 50, 0), store.listTasks('q', 'ready', 50, 0), store.listTasks('q', 'failed', 50, 1_000_000),
        ...[{}, { queue: 'q' }].flatMap((filter) => [store.retryFailedTasks({ all: true, filter }, {}, nowMs), store.deleteFailedTasks({ all: true, filter })])]);
    } finally {
      Database.prototype.prepare = prepare;
    }
    await store.close();
    assert.ok(prepared.size > 50, `${prepared.size} statements seen`);
    const db = new Database(file, { readonly: true });
    const walks: string[] = [];
    try {
      for (const sql of prepared) {
        let plan: Database.Statement;
        try { plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`); } catch { continue; } // PRAGMAs and the like
        // Unbound parameters are NULL here: the plan does not depend on their values.
        const named = [...new Set([...sql.matchAll(/[@$:](\w+)/g)].map((m) => m[1]!))];
        const rows = (named.length ? plan.all(Object.fromEntries(named.map((n) => [n, null])))
          : plan.all(...Array<null>((sql.replace(/'[^']*'/g, '').match(/\?/g) ?? []).length).fill(null))) as { detail: string }[];
        for (const { detail } of rows) {
          const table = /^SCAN (\w+)/.exec(detail)?.[1];
          // A write runs inside a commit that every other write waits for: it walks no table at all.
          const write = /^\s*(UPDATE|DELETE)\b/i.test(sql);
          if (table && (GROWING.includes(table) || write) && !/\bUSING\b|VIRTUAL TABLE/.test(detail)) walks.push(`${detail}: ${sql.replace(/\s+/g, ' ').slice(0, 160)}`);
        }
      }
    } finally { db.close(); }
    assert.deepEqual(walks, [], 'statements that walk a growing table');
  });
});
