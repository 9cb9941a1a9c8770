// SQLite migrations that fill a new table from what a file already holds.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { systemClock } from '../../src/clock.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { tempDir } from '../helpers/server.js';
import { T0 } from './harness.js';

const ev = (i: number) => ({ eventId: `e${i}`, publisher: 'p', data: { i }, atMs: T0 + i });

describe('sqlite migrations', () => {
  it('15: a file from before it has its event logs counted, and the counts then follow appends, trims and removals', async () => {
    const file = path.join(tempDir(), 'migrate.db');
    const before = await openSqliteStore(file, { sync: 'full', clock: systemClock });
    await before.appendEvents('unrouted', [ev(1), ev(2), ev(3)], { count: 1000, sinceMs: 0 });
    await before.appendEvents('sample', [ev(4)], { count: 1000, sinceMs: 0 });
    await before.close();
    // The file as migration 14 left it: no counts table, and 15 not recorded.
    const raw = new Database(file);
    raw.exec(`DROP TABLE event_log_counts; DELETE FROM migrations WHERE version = 15`);
    raw.close();
    const store = await openSqliteStore(file, { sync: 'full', clock: systemClock });
    try {
      assert.deepEqual([await store.countEvents('unrouted'), await store.countEvents('sample')], [3, 1]);
      await store.appendEvents('unrouted', [ev(5), ev(6)], { count: 4, sinceMs: T0 + 3 }); // e1 over the count, e2 too old
      assert.deepEqual((await store.readEvents('unrouted', 0)).map((e) => e.eventId), ['e6', 'e5', 'e3']);
      assert.equal(await store.countEvents('unrouted'), 3);
      assert.deepEqual(await store.removeEvents('unrouted', ['e5', 'e5', 'nope']), ['e5']);
      assert.equal(await store.countEvents('unrouted'), 2);
    } finally { await store.close(); }
  });
});
