// POST /task with next: true: the report, then the worker's next task in the same round trip; a
// refused report takes nothing (no task is leased where the worker cannot see it).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('a report that takes the next task (next: true)', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer(); });
  after(() => s.stop());

  it('answers the report and the next task in the worker\'s queue order, then null when none is ready', async () => {
    await s.api.interest('high', { to: '^high$' });
    await s.api.interest('low', { to: '^low$' });
    await s.api.publish({ to: 'low', n: 1 });
    await s.api.publish({ to: 'high', n: 2 });
    await s.api.publish({ to: 'low', n: 3 });
    const w = await s.api.worker(['high', 'low']);
    let task = await s.api.take(w);
    const seen: number[] = [];
    while (task) {
      seen.push(task.data.n);
      const r = await s.api.call('POST', '/task', { workerId: w, taskId: task.taskId, state: 'success', next: true });
      assert.equal(r.status, 200);
      assert.deepEqual([r.body.taskId, r.body.state], [task.taskId, 'succeeded']);
      task = r.body.task;
      if (task) assert.equal(task.leaseExpiresAt > Date.now() / 1000, true, 'the next task is leased to the worker');
    }
    assert.deepEqual(seen, [2, 1, 3]);
    assert.equal((await s.api.status('?queue=low')).counts.succeeded, 2);
    // queues= narrows where the next task may come from, as for GET /task.
    await s.api.publish({ to: 'high', n: 4 });
    await s.api.publish({ to: 'low', n: 5 });
    const first = await s.api.take(w);
    assert.equal(first.data.n, 4);
    const onlyHigh = await s.api.call('POST', '/task', { workerId: w, taskId: first.taskId, state: 'fail', failReason: 'x', next: true, queues: 'high' });
    assert.equal(onlyHigh.body.task, null);
  });

  it('a refused report is a 409 that takes no task; queues without next is a 400', async () => {
    await s.api.interest('solo', { to: '^solo$' });
    await s.api.publish({ to: 'solo', n: 1 });
    await s.api.publish({ to: 'solo', n: 2 });
    const w = await s.api.worker(['solo']);
    const t = await s.api.take(w);
    assert.equal((await s.api.call('POST', '/task', { workerId: w, taskId: t.taskId, state: 'success' })).status, 200);
    const again = await s.api.call('POST', '/task', { workerId: w, taskId: t.taskId, state: 'success', next: true });
    assert.equal(again.status, 409);
    assert.equal((await s.api.status('?queue=solo')).counts.started, 0, 'nothing was taken');
    const bad = await s.api.call('POST', '/task', { workerId: w, taskId: t.taskId, state: 'success', queues: 'solo' });
    assert.deepEqual([bad.status, bad.body.code], [400, 'invalid_input']);
  });
});
