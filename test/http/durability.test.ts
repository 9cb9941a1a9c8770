// A 201 publish is durable: kill -9 the broker right after, restart on the same file, and every
// acknowledged task is there exactly once. Also: SIGTERM stops gracefully and answers long polls.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '../helpers/until.js';
import path from 'node:path';
import { client } from '../helpers/http.js';
import { spawnBroker } from '../helpers/process.js';
import { tempDir } from '../helpers/server.js';

describe('durability and shutdown', () => {
  it('every task acknowledged with 201 survives kill -9, exactly once', async () => {
    const db = path.join(tempDir(), 'crash.db');
    const first = await spawnBroker(db);
    const api = client(first.url);
    await api.interest('a', { n: '.' });
    await api.interest('b', { n: '^[0-9]*[02468]$' });
    const acked = new Map<string, string>();
    // Publishers keep going while the kill lands: whatever got its 201 must be there.
    let stop = false;
    const loops = Array.from({ length: 4 }, async () => {
      for (let i = 0; !stop; i++) {
        try {
          const r = await api.call('PUT', '/task', { publisher: 'crash', data: { n: i } });
          if (r.status === 201) for (const t of r.body.tasks) acked.set(t.taskId, t.queue);
        } catch { return; } // the connection died with the process
      }
    });
    while (acked.size < 300) await new Promise((r) => setTimeout(r, 10));
    first.proc.kill('SIGKILL');
    stop = true;
    await Promise.all(loops);
    await first.exited;

    const second = await spawnBroker(db);
    try {
      const api2 = client(second.url);
      for (const [taskId, queue] of acked) {
        const r = await api2.call('GET', `/status?task=${taskId}`);
        assert.equal(r.status, 200, `task ${taskId} lost`);
        assert.equal(r.body.task.queue, queue);
      }
      // Exactly once: drain both queues and count each acknowledged task once.
      const w = await api2.worker(['a', 'b']);
      const seen = new Map<string, number>();
      for (;;) {
        const r = await api2.call('GET', `/task?workerId=${w}&count=100`);
        if (!r.body.tasks.length) break;
        for (const t of r.body.tasks) seen.set(t.taskId, (seen.get(t.taskId) ?? 0) + 1);
        await api2.call('POST', '/tasks', { workerId: w, reports: r.body.tasks.map((t: { taskId: string }) => ({ taskId: t.taskId, state: 'success' })) });
      }
      for (const taskId of acked.keys()) assert.equal(seen.get(taskId), 1, `task ${taskId} delivered ${seen.get(taskId) ?? 0} times`);
    } finally {
      second.proc.kill('SIGKILL');
      await second.exited;
    }
  });

  it('a burst of concurrent publishes shares group commits; kill -9 right after their 201s loses none', async () => {
    const db = path.join(tempDir(), 'burst.db');
    const first = await spawnBroker(db);
    const api = client(first.url);
    await api.interest('burst', '*');
    // 300 at once: they arrive while earlier commits sync, so they are committed together.
    const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => api.call('PUT', '/task', { publisher: 'burst', data: { i } })));
    first.proc.kill('SIGKILL');
    await first.exited;
    assert.deepEqual(answers.filter((r) => r.status !== 201).map((r) => r.text), []);
    const second = await spawnBroker(db);
    try {
      const api2 = client(second.url);
      assert.equal((await api2.status('?queue=burst')).counts.ready, 300);
      for (const r of answers) assert.equal((await api2.call('GET', `/status?task=${r.body.tasks[0].taskId}`)).status, 200);
    } finally {
      second.proc.kill('SIGKILL');
      await second.exited;
    }
  });

  it('SIGTERM answers a waiting long poll with {task: null}, finishes, and exits 0', async () => {
    const b = await spawnBroker(path.join(tempDir(), 'term.db'));
    const api = client(b.url);
    const w = await api.worker(['idle']);
    const waiting = api.call('GET', `/task?workerId=${w}&wait=25`);
    await until('the long poll waiting', async () => /^switchyard_long_polls_waiting 1$/m.test(await (await fetch(`${b.url}/metrics`)).text()));
    b.proc.kill('SIGTERM');
    const r = await waiting;
    assert.equal(r.status, 200);
    assert.equal(r.body.task, null);
    assert.equal(await b.exited, 0);
  });

  it('a bad setting stops startup with one line naming it', async () => {
    await assert.rejects(spawnBroker(path.join(tempDir(), 'x.db'), { SWITCHYARD_LEASE: 'soon' }), /SWITCHYARD_LEASE="soon" is not valid/);
  });
});
