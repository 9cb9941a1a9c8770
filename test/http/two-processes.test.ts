// Two broker processes on one store (the same SQLite file, or the same Couchbase key prefix):
// workers on both pull the same queue at once, no task is ever handed to two workers at once, and
// every task completes exactly once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { client } from '../helpers/http.js';
import { spawnBroker } from '../helpers/process.js';
import { tempDir } from '../helpers/server.js';
import { drainExactlyOnce, publishThroughAll } from '../helpers/drain.js';

describe('two broker processes on one file', () => {
  it('never hand the same task to two workers at once', async () => {
    const db = path.join(tempDir(), 'shared.db');
    const nodes = [await spawnBroker(db), await spawnBroker(db)];
    try {
      const apis = nodes.map((n) => client(n.url));
      const TOTAL = 600;
      await publishThroughAll(apis, TOTAL);
      const completed = await drainExactlyOnce(apis, 3, 5);
      assert.equal(completed.size, TOTAL);
      for (const [id, n] of completed) assert.equal(n, 1, `task ${id} completed ${n} times`);
      assert.equal((await apis[1]!.status('?queue=jobs')).counts.succeeded, TOTAL);
    } finally {
      for (const n of nodes) n.proc.kill('SIGKILL');
      await Promise.all(nodes.map((n) => n.exited));
    }
  });
});
