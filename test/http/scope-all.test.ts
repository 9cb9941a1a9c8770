// scope "all": a copy for each worker, what happens to it when its worker leaves, and the rule that
// no task ever waits for a worker that does not exist (issue 15's stranded copies).
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('scope all', () => {
  let s: TestServer;
  beforeEach(async () => { s = await startTestServer(); });
  afterEach(() => s.stop());

  /** Worker A takes and fails its scope-all copy (maxAttempts 1: straight to the failed queue). */
  async function failedCopyOf(queue: string) {
    await s.api.interest(queue, { q: `^${queue}$` });
    const a = await s.api.worker([queue], 'A');
    const p = await s.api.publish({ q: queue }, { scope: 'all', maxAttempts: 1 });
    assert.equal(p.tasks.length, 1);
    const t = await s.api.take(a);
    assert.equal(t.taskId, p.tasks[0].taskId);
    assert.equal((await s.api.report(a, t.taskId, 'fail', { failReason: 'boom' })).status, 200);
    return { a, taskId: t.taskId as string };
  }

  it('a failed copy retried after its worker was removed is taken and completed by another worker', async () => {
    const { a, taskId } = await failedCopyOf('email');
    const removed = await s.api.call('DELETE', `/worker?workerId=${a}`);
    assert.deepEqual(removed.body, { workers: 1, tasksReturned: 0, tasksCancelled: 0 });
    assert.deepEqual((await s.api.call('POST', '/failed/retry', { taskIds: [taskId] })).body, { retried: 1 });
    const task = (await s.api.status(`?task=${taskId}`)).task;
    assert.equal(task.state, 'ready');
    assert.equal(task.targetWorkerId, null, 'the copy is for any worker of its queue now');
    assert.equal(task.heldBy, 'noWorker');
    const b = await s.api.worker(['email'], 'B');
    assert.equal((await s.api.status(`?task=${taskId}`)).task.heldBy, null);
    const got = await s.api.take(b);
    assert.equal(got?.taskId, taskId);
    assert.equal((await s.api.report(b, taskId, 'success')).status, 200);
    const done = (await s.api.status(`?task=${taskId}`)).task;
    assert.equal(done.state, 'succeeded');
    assert.equal(done.failReason, null, 'a succeeded task carries no stale failReason');
    assert.deepEqual(done.history.filter((h: { what: string }) => h.what === 'failed').map((h: { reason: string }) => h.reason), ['boom']);
    assert.ok(done.history.some((h: { what: string; released?: string }) => h.what === 'retried' && /worker .* is gone/.test(h.released ?? '')));
  });

  it('the same copy retried into another queue is for any worker of that queue', async () => {
    const { a, taskId } = await failedCopyOf('email');
    await s.api.call('DELETE', `/worker?workerId=${a}`);
    assert.deepEqual((await s.api.call('POST', '/failed/retry', { taskIds: [taskId], toQueue: 'other' })).body, { retried: 1 });
    const b = await s.api.worker(['other'], 'B');
    assert.equal((await s.api.take(b))?.taskId, taskId);
  });

  it('a failed copy retried while its worker is still registered stays that worker\'s', async () => {
    const { a, taskId } = await failedCopyOf('email');
    const b = await s.api.worker(['email'], 'B');
    await s.api.call('POST', '/failed/retry', { taskIds: [taskId] });
    const task = (await s.api.status(`?task=${taskId}`)).task;
    assert.equal(task.targetWorkerId, a);
    assert.equal(task.heldBy, 'worker');
    assert.equal(await s.api.take(b), null, 'B does not take A\'s copy');
    assert.equal((await s.api.take(a))?.taskId, taskId);
  });

  it('a copy retried into a queue its worker does not serve is for any worker of that queue', async () => {
    const { taskId } = await failedCopyOf('email');
    await s.api.call('POST', '/failed/retry', { taskIds: [taskId], toQueue: 'other' });
    assert.equal((await s.api.status(`?task=${taskId}`)).task.targetWorkerId, null);
    const b = await s.api.worker(['other'], 'B');
    assert.equal((await s.api.take(b))?.taskId, taskId);
  });

  it('DELETE /worker cancels the copies made for that worker and says how many', async () => {
    await s.api.interest('email', '*');
    const a = await s.api.worker(['email'], 'A');
    const b = await s.api.worker(['email'], 'B');
    const p = await s.api.publish({ n: 1 }, { scope: 'all' });
    const p2 = await s.api.publish({ n: 2 }, { scope: 'all' });
    assert.equal(p.tasks.length + p2.tasks.length, 4);
    const started = await s.api.take(a);
    const r = await s.api.call('DELETE', `/worker?workerId=${a}`);
    assert.deepEqual(r.body, { workers: 1, tasksReturned: 0, tasksCancelled: 2 });
    const st = (await s.api.status(`?task=${started.taskId}`)).task;
    assert.equal(st.state, 'cancelled');
    assert.match(st.history.at(-1).reason, /this copy was for that worker/);
    // B's own copies are untouched
    assert.ok(await s.api.take(b));
    assert.ok(await s.api.take(b));
    assert.equal(await s.api.take(b), null);
  });
});
