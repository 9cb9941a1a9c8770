// The cluster goes away while the broker runs: requests answer 503 store_unavailable, /healthz 503,
// and both recover by themselves when it is back, with nothing acknowledged lost. Runs when the test
// can pause the cluster: COUCHBASE_PAUSE_PID names a process to SIGSTOP and SIGCONT (a local mock's,
// e.g. gocaves); a real cluster is not paused by a test.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '../helpers/until.js';
import path from 'node:path';
import { client } from '../helpers/http.js';
import { spawnBroker } from '../helpers/process.js';
import { tempDir } from '../helpers/server.js';
import { couchbaseTestSettings } from '../helpers/couchbase.js';

const pid = Number(process.env.COUCHBASE_PAUSE_PID);

describe('Couchbase lost while running', () => {
  it('answers 503 while the cluster is gone and recovers by itself', { timeout: 120_000 }, async (t) => {
    if (!couchbaseTestSettings() || !pid) { t.skip('skipped: needs COUCHBASE_CONNSTR and COUCHBASE_PAUSE_PID'); return; }
    const b = await spawnBroker(path.join(tempDir(), 'outage'));
    const api = client(b.url);
    try {
      await api.interest('q', '*');
      const before = await api.publish({ n: 1 });
      process.kill(pid, 'SIGSTOP');
      try {
        const health = await api.call('GET', '/healthz');
        assert.deepEqual([health.status, health.body.code], [503, 'store_unavailable']);
        const put = await api.call('PUT', '/task', { publisher: 'p', data: { n: 2 } });
        assert.deepEqual([put.status, put.body.code], [503, 'store_unavailable']);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      await until('healthz back', async () => (await api.call('GET', '/healthz')).status === 200, 20_000, 200);
      const after = await api.publish({ n: 3 });
      const w = await api.worker(['q']);
      const got = new Set<string>();
      for (let task = await api.take(w); task; task = await api.take(w)) got.add(task.taskId);
      assert.ok(got.has(before.tasks[0].taskId) && got.has(after.tasks[0].taskId), 'acknowledged tasks are there');
    } finally {
      b.proc.kill('SIGKILL');
      await b.exited;
    }
  });
});
