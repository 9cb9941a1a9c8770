// Two broker processes on one SQLite file: workers on both pull the same queue at once, and no task
// is ever handed to two workers at once; every task completes exactly once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { client } from '../helpers/http.js';
import { spawnBroker } from '../helpers/process.js';
import { tempDir } from '../helpers/server.js';

describe('two broker processes on one file', () => {
  it('never hand the same task to two workers at once', async () => {
    const db = path.join(tempDir(), 'shared.db');
    const [n1, n2] = [await spawnBroker(db), await spawnBroker(db)];
    try {
      const a1 = client(n1.url);
      const a2 = client(n2.url);
      await a1.interest('jobs', '*');
      const TOTAL = 600;
      const batch = (from: number) => Array.from({ length: 100 }, (_, i) => ({ publisher: 'p', data: { i: from + i } }));
      for (let i = 0; i < TOTAL; i += 200) {
        await a1.call('PUT', '/tasks', { events: batch(i) });
        await a2.call('PUT', '/tasks', { events: batch(i + 100) });
      }
      const started = new Map<string, number>();
      const completed = new Map<string, number>();
      const worker = async (api: ReturnType<typeof client>) => {
        const w = await api.worker(['jobs']);
        for (;;) {
          const r = await api.call('GET', `/task?workerId=${w}&count=${1 + Math.floor(Math.random() * 5)}`);
          assert.equal(r.status, 200, r.text);
          if (!r.body.tasks.length) return;
          for (const t of r.body.tasks) {
            // Still started elsewhere? Then two workers hold it at once.
            assert.equal(started.get(t.taskId) ?? 0, completed.get(t.taskId) ?? 0, `task ${t.taskId} started twice at once`);
            started.set(t.taskId, (started.get(t.taskId) ?? 0) + 1);
          }
          const rep = await api.call('POST', '/tasks', { workerId: w, reports: r.body.tasks.map((t: { taskId: string }) => ({ taskId: t.taskId, state: 'success' })) });
          for (const x of rep.body.results) {
            assert.equal(x.ok, true, JSON.stringify(x));
            completed.set(x.taskId, (completed.get(x.taskId) ?? 0) + 1);
          }
        }
      };
      await Promise.all([worker(a1), worker(a1), worker(a1), worker(a2), worker(a2), worker(a2)]);
      assert.equal(completed.size, TOTAL);
      for (const [id, n] of completed) assert.equal(n, 1, `task ${id} completed ${n} times`);
      const q = await a2.status('?queue=jobs');
      assert.equal(q.counts.succeeded, TOTAL);
    } finally {
      n1.proc.kill('SIGKILL');
      n2.proc.kill('SIGKILL');
      await Promise.all([n1.exited, n2.exited]);
    }
  });
});
