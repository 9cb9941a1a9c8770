// GET /task, POST /task, POST /tasks, DELETE /task: taking, reporting, leases, long polls, cancel.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/until.js';

describe('working', () => {
  let s: TestServer;
  beforeEach(async () => {
    s = await startTestServer({ SWITCHYARD_LEASE: '30' });
    await s.api.interest('high', { q: '^high$' });
    await s.api.interest('low', { q: '^low$' });
  });
  afterEach(() => s.stop());

  it('takes all ready tasks of the first queue before any of the second, then by priority and arrival', async () => {
    await s.api.publish({ q: 'low', n: 1 }, { priority: 100 });
    await s.api.publish({ q: 'high', n: 2 });
    await s.api.publish({ q: 'high', n: 3 }, { priority: 5 });
    await s.api.publish({ q: 'high', n: 4 });
    const w = await s.api.worker('high,low');
    const order = [];
    for (let i = 0; i < 4; i++) order.push((await s.api.take(w)).data.n);
    assert.deepEqual(order, [3, 2, 4, 1]);
    assert.equal(await s.api.take(w), null);
  });

  it('a taken task carries what a worker needs and is leased to it', async () => {
    const p = await s.api.publish({ q: 'high' });
    const w = await s.api.worker(['high']);
    const t = await s.api.take(w);
    for (const k of ['taskId', 'eventId', 'queue', 'publisher', 'data', 'attempts', 'runAt', 'createdAt', 'leaseExpiresAt']) assert.ok(k in t, k);
    assert.equal(t.eventId, p.eventId);
    assert.ok(Math.abs(t.leaseExpiresAt - (Date.now() / 1000 + 30)) < 5);
    const st = await s.api.status(`?workerQueue=${w}`);
    assert.deepEqual(st.tasks.map((x: { taskId: string }) => x.taskId), [t.taskId]);
  });

  it('count=N takes a batch and answers {tasks}', async () => {
    for (let i = 0; i < 5; i++) await s.api.publish({ q: 'high', i });
    const w = await s.api.worker(['high']);
    const r = await s.api.call('GET', `/task?workerId=${w}&count=3`);
    assert.equal(r.body.tasks.length, 3);
    const rest = await s.api.call('GET', `/task?workerId=${w}&count=100`);
    assert.equal(rest.body.tasks.length, 2);
  });

  it('a long poll is answered by the publish that arrives while it waits, not by the shared tick', async () => {
    // The tick that wakes every poll (CROSS_NODE_POLL_MS) is off here: only the publish's own
    // wake-up can answer before the poll's 20 s are over, and then with the task.
    const quiet = await startTestServer({}, { crossNodePollMs: 3_600_000 });
    try {
      await quiet.api.interest('high', { q: '^high$' });
      const w = await quiet.api.worker(['high']);
      const waiting = quiet.api.call('GET', `/task?workerId=${w}&wait=20`);
      await until('the long poll to wait', () => quiet.broker.ctx.waiters.size === 1);
      const p = await quiet.api.publish({ q: 'high' });
      // Woken by the publish before it answered, not left to wait out its 20 s (then it would take
      // the task all the same).
      assert.equal(quiet.broker.ctx.waiters.size, 0, 'the publish woke the waiting poll');
      const r = await waiting;
      assert.equal(r.body.task?.eventId, p.eventId);
    } finally {
      await quiet.stop();
    }
  });

  it('a long poll with nothing to do answers {task: null} when its wait is over', async () => {
    const w = await s.api.worker(['high']);
    const r = await s.api.call('GET', `/task?workerId=${w}&wait=0.3`);
    assert.equal(r.status, 200);
    assert.equal(r.body.task, null);
  });

  it('success finishes a task; reporting it again is 409 task_finished', async () => {
    await s.api.publish({ q: 'high' });
    const w = await s.api.worker(['high']);
    const t = await s.api.take(w);
    const ok = await s.api.report(w, t.taskId, 'success', { result: { sent: true } });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.state, 'succeeded');
    const again = await s.api.report(w, t.taskId, 'success');
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'task_finished');
    const st = await s.api.status(`?task=${t.taskId}`);
    assert.deepEqual(st.task.result, { sent: true });
    assert.deepEqual(st.task.history.map((h: { what: string }) => h.what), ['created', 'started', 'succeeded']);
  });

  it('a report from a worker that does not own the task is 409 and the task stays started', async () => {
    await s.api.publish({ q: 'high' });
    const w1 = await s.api.worker(['high']);
    const w2 = await s.api.worker(['high']);
    const t = await s.api.take(w1);
    const r = await s.api.report(w2, t.taskId, 'success');
    assert.equal(r.status, 409);
    assert.equal(r.body.code, 'task_not_owned');
    assert.equal((await s.api.status(`?task=${t.taskId}`)).task.state, 'started');
  });

  it('unknown task or worker ids are 404', async () => {
    const w = await s.api.worker(['high']);
    assert.equal((await s.api.report(w, 'no-such-task', 'success')).body.code, 'task_not_found');
    const r = await s.api.report('no-such-worker', 'x', 'success');
    assert.equal(r.status, 404);
    assert.equal(r.body.code, 'worker_not_found');
    const g = await s.api.call('GET', '/task?workerId=no-such-worker');
    assert.equal(g.status, 404);
    assert.equal(g.body.code, 'worker_not_found');
  });

  it('fail retries with backoff per the queue policy, then the task lands in the failed queue with every reason', async () => {
    await s.api.call('PATCH', '/queue', { queue: 'high', maxAttempts: 2, backoffSeconds: 0 });
    await s.api.publish({ q: 'high' });
    const w = await s.api.worker(['high']);
    const t1 = await s.api.take(w);
    const f1 = await s.api.report(w, t1.taskId, 'fail', { failReason: 'smtp down' });
    assert.equal(f1.body.state, 'ready');
    const t2 = await s.api.take(w);
    assert.equal(t2.taskId, t1.taskId);
    assert.equal(t2.attempts, 2);
    const f2 = await s.api.report(w, t2.taskId, 'fail', { failReason: 'smtp still down' });
    assert.equal(f2.body.state, 'failed');
    const failed = await s.api.call('GET', '/failed');
    assert.equal(failed.body.total, 1);
    const reasons = failed.body.tasks[0].history.filter((h: { what: string }) => h.what === 'failed').map((h: { reason: string }) => h.reason);
    assert.deepEqual(reasons, ['smtp down', 'smtp still down']);
  });

  it('a failed attempt waits out its backoff before it is handed out again', async () => {
    await s.api.call('PATCH', '/queue', { queue: 'high', backoffSeconds: 60 });
    await s.api.publish({ q: 'high' });
    const w = await s.api.worker(['high']);
    const t = await s.api.take(w);
    const f = await s.api.report(w, t.taskId, 'fail', { failReason: 'x' });
    assert.equal(f.body.state, 'scheduled');
    assert.ok(f.body.retryAt > Date.now() / 1000 + 40 && f.body.retryAt < Date.now() / 1000 + 80, 'about 60 s ±20%');
    assert.equal(await s.api.take(w), null);
  });

  it('progress extends the lease from now', async () => {
    let clockMs = Date.now();
    const clocked = await startTestServer({ SWITCHYARD_LEASE: '30' }, { now: () => clockMs });
    try {
      await clocked.api.interest('high', { q: '^high$' });
      await clocked.api.publish({ q: 'high' });
      const w = await clocked.api.worker(['high']);
      const t = await clocked.api.take(w);
      clockMs += 10_000;
      const p = await clocked.api.report(w, t.taskId, 'progress');
      assert.equal(p.status, 200);
      assert.equal(p.body.state, 'started');
      assert.equal(p.body.leaseExpiresAt, t.leaseExpiresAt + 10);
    } finally {
      await clocked.stop();
    }
  });

  it('reEnqueue on success puts a fresh copy back in the same queue', async () => {
    await s.api.publish({ q: 'high', n: 1 });
    const w = await s.api.worker(['high']);
    const t = await s.api.take(w);
    const r = await s.api.report(w, t.taskId, 'success', { reEnqueue: true });
    assert.ok(r.body.reEnqueuedTaskId);
    const again = await s.api.take(w);
    assert.equal(again.taskId, r.body.reEnqueuedTaskId);
    assert.deepEqual(again.data, { q: 'high', n: 1 });
  });

  it('an expired lease puts the task back to ready, counting the delivery', async () => {
    await s.api.call('PATCH', '/queue', { queue: 'high', leaseSeconds: 1 });
    await s.api.publish({ q: 'high' });
    const w1 = await s.api.worker(['high']);
    const w2 = await s.api.worker(['high']);
    const t = await s.api.take(w1);
    await s.sweeps.runOnce(Date.now() + 2000);
    const again = await s.api.take(w2);
    assert.equal(again.taskId, t.taskId);
    assert.equal(again.attempts, 2);
    assert.equal((await s.api.report(w1, t.taskId, 'success')).status, 409, 'the old owner lost it');
  });

  it('POST /tasks applies each report on its own: a bad one fails alone', async () => {
    for (let i = 0; i < 3; i++) await s.api.publish({ q: 'high', i });
    const w = await s.api.worker(['high']);
    const tasks = (await s.api.call('GET', `/task?workerId=${w}&count=3`)).body.tasks;
    const r = await s.api.call('POST', '/tasks', { workerId: w, reports: [
      { taskId: tasks[0].taskId, state: 'success' },
      { taskId: 'missing', state: 'success' },
      { taskId: tasks[1].taskId, state: 'fail', failReason: 'x' },
    ] });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.results.map((x: { ok: boolean; code?: string }) => x.ok || x.code), [true, 'task_not_found', true]);
    assert.equal((await s.api.status(`?task=${tasks[2].taskId}`)).task.state, 'started');
  });

  it('POST /tasks with claim reports first, then takes the next tasks, in one request', async () => {
    // Concurrency 1: the claim can only take the next task because the report before it freed the slot.
    assert.equal((await s.api.call('PATCH', '/queue', { queue: 'high', concurrency: 1 })).status, 200);
    for (let i = 0; i < 3; i++) await s.api.publish({ q: 'high', i });
    await s.api.publish({ q: 'low' });
    const w = await s.api.worker(['high', 'low']);
    const first = (await s.api.call('GET', `/task?workerId=${w}&count=100&queues=high`)).body.tasks;
    assert.equal(first.length, 1, 'held to the queue\'s concurrency');
    const r = await s.api.call('POST', '/tasks', { workerId: w, reports: [{ taskId: first[0].taskId, state: 'success' }], claim: { count: 5, queues: 'high' } });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.results.map((x: { ok: boolean }) => x.ok), [true]);
    assert.equal(r.body.tasks.length, 1, 'the reported task\'s slot went to the next one; only the named queue');
    assert.equal(r.body.tasks[0].queue, 'high');
    assert.notEqual(r.body.tasks[0].taskId, first[0].taskId);
    assert.equal((await s.api.status(`?task=${r.body.tasks[0].taskId}`)).task.state, 'started');
    // Without claim, the answer has no tasks; a bad claim is refused whole, and the report with it is not applied.
    const bad = await s.api.call('POST', '/tasks', { workerId: w, reports: [{ taskId: r.body.tasks[0].taskId, state: 'success' }], claim: { count: 1001 } });
    assert.equal(bad.status, 400);
    assert.equal((await s.api.status(`?task=${r.body.tasks[0].taskId}`)).task.state, 'started');
    const plain = await s.api.call('POST', '/tasks', { workerId: w, reports: [{ taskId: r.body.tasks[0].taskId, state: 'success' }] });
    assert.equal('tasks' in plain.body, false);
  });

  it('DELETE /task cancels a waiting copy by taskId or every waiting copy by eventId', async () => {
    await s.api.interest('other', { q: '^high$' });
    const p = await s.api.publish({ q: 'high' });
    const one = await s.api.call('DELETE', `/task?taskId=${p.tasks[0].taskId}`);
    assert.deepEqual(one.body, { cancelled: 1 });
    const p2 = await s.api.publish({ q: 'high' });
    assert.deepEqual((await s.api.call('DELETE', `/task?eventId=${p2.eventId}`)).body, { cancelled: 2 });
    assert.equal((await s.api.call('DELETE', '/task?taskId=nope')).status, 404);
    assert.equal((await s.api.call('DELETE', '/task')).status, 400);
    const w = await s.api.worker(['high']);
    const p3 = await s.api.publish({ q: 'high' });
    const t = await s.api.take(w);
    assert.equal(t.eventId, p3.eventId);
    const started = await s.api.call('DELETE', `/task?taskId=${t.taskId}`);
    assert.equal(started.status, 409);
    assert.equal(started.body.code, 'task_not_waiting');
  });

  it('a paused queue hands out nothing until resumed', async () => {
    await s.api.publish({ q: 'high' });
    const w = await s.api.worker(['high']);
    const p = await s.api.call('PATCH', '/queue', { queue: 'high', paused: true });
    assert.equal(p.body.paused, true);
    assert.equal(await s.api.take(w), null);
    await s.api.call('PATCH', '/queue', { queue: 'high', paused: false });
    assert.ok(await s.api.take(w));
  });
});
