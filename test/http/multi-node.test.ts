// Three broker nodes over one Couchbase bucket (runs when COUCHBASE_CONNSTR is set): 20,000 tasks
// published through all three, workers spread over them; each task completes exactly once and none
// is started twice at the same time.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { client } from '../helpers/http.js';
import { spawnBroker } from '../helpers/process.js';
import { tempDir } from '../helpers/server.js';
import { couchbaseTestSettings } from '../helpers/couchbase.js';
import { drainExactlyOnce, publishThroughAll } from '../helpers/drain.js';

const TOTAL = 20_000;

describe('three broker nodes over one Couchbase bucket', () => {
  it(`complete ${TOTAL} tasks exactly once, never two workers at once`, { timeout: 30 * 60_000 }, async (t) => {
    if (!couchbaseTestSettings()) { t.skip('skipped: COUCHBASE_CONNSTR not set'); return; }
    // The "file" only names the shared key prefix: all three nodes get the same one.
    const ns = path.join(tempDir(), 'cluster');
    const nodes = [await spawnBroker(ns), await spawnBroker(ns), await spawnBroker(ns)];
    try {
      const apis = nodes.map((n) => client(n.url));
      await publishThroughAll(apis, TOTAL);
      const completed = await drainExactlyOnce(apis, 4, 100);
      assert.equal(completed.size, TOTAL);
      for (const [id, n] of completed) assert.equal(n, 1, `task ${id} completed ${n} times`);
      assert.equal((await apis[2]!.status('?queue=jobs')).counts.succeeded, TOTAL);
    } finally {
      for (const n of nodes) n.proc.kill('SIGKILL');
      await Promise.all(nodes.map((n) => n.exited));
    }
  });
});
if (!couchbaseTestSettings()) console.log('# multi-node test skipped: COUCHBASE_CONNSTR not set');
