// Another process holding the SQLite file's write lock does not freeze this one: a write waits for
// the lock without blocking the event loop (healthz and reads answer meanwhile), then commits.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { startTestServer } from '../helpers/server.js';

describe('a busy SQLite file', () => {
  it('a write waits for another process\'s lock while the broker keeps answering, then commits', async (t) => {
    if (process.env.COUCHBASE_CONNSTR) { t.skip('skipped: the Couchbase run has no SQLite file'); return; }
    const s = await startTestServer();
    const other = new Database(s.dbFile);
    try {
      await s.api.interest('q', '*');
      other.prepare('BEGIN IMMEDIATE').run(); // the other process's long write
      let published = false;
      const publishing = s.api.call('PUT', '/task', { publisher: 'p', data: { n: 1 } }).then((r) => { published = true; return r; });
      // Each answer below needs the event loop; a synchronous busy wait would hold them all behind the publish.
      for (let i = 0; i < 5; i++) {
        assert.equal((await s.api.call('GET', '/healthz')).status, 200);
        assert.equal((await s.api.call('GET', '/status?queue=q')).status, 200);
      }
      assert.equal(published, false, 'the publish is still waiting for the lock');
      other.prepare('COMMIT').run();
      const r = await publishing;
      assert.equal(r.status, 201, r.text);
    } finally {
      other.close();
      await s.stop();
    }
  });
});
