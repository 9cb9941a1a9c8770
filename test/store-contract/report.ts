// Store contract, reporting: complete, fail, extend a lease, reEnqueue.
import assert from 'node:assert/strict';
import { T0, RULES, type Kit } from './harness.js';

export function reportContract({ store, test, publish, claim }: Kit) {
  test('success finishes the task, keeps its result and counts it for the worker', async () => {
    await publish(['a']);
    const untouched = await publish(['a']);
    const w = await store.registerWorker('w', ['a'], T0);
    const [t] = await claim(w.workerId);
    const r = await store.completeTasks(w.workerId, [{ taskId: t!.taskId, result: { ok: 1 } }], T0 + 5);
    assert.equal(r.outcome, 'ok');
    assert.equal(r.outcome === 'ok' && r.reports[0]!.outcome, 'ok');
    const done = await store.getTask(t!.taskId);
    assert.equal(done!.state, 'succeeded');
    assert.deepEqual(done!.result, { ok: 1 });
    assert.equal((await store.getWorker(w.workerId))!.tasksDone, 1);
    assert.equal((await store.getTask(untouched.tasks[0]!.taskId))!.state, 'ready');
  });

  test('a report for a task another worker owns is task_not_owned and the task stays started', async () => {
    await publish(['a']);
    const w1 = await store.registerWorker('w1', ['a'], T0);
    const w2 = await store.registerWorker('w2', ['a'], T0);
    const [t] = await claim(w1.workerId);
    const r = await store.completeTasks(w2.workerId, [{ taskId: t!.taskId }], T0);
    assert.equal(r.outcome === 'ok' && r.reports[0]!.outcome, 'task_not_owned');
    assert.equal((await store.getTask(t!.taskId))!.state, 'started');
  });

  test('a report for a finished task is task_finished; for an unknown one task_not_found; for an unknown worker worker_not_found', async () => {
    await publish(['a']);
    const w = await store.registerWorker('w', ['a'], T0);
    const [t] = await claim(w.workerId);
    await store.completeTasks(w.workerId, [{ taskId: t!.taskId }], T0);
    const again = await store.failTasks(w.workerId, [{ taskId: t!.taskId }, { taskId: 'nope' }], T0, RULES);
    assert.deepEqual(again.outcome === 'ok' && again.reports.map((o) => o.outcome), ['task_finished', 'task_not_found']);
    const completed = await store.completeTasks(w.workerId, [{ taskId: t!.taskId }, { taskId: 'nope' }], T0);
    assert.deepEqual(completed.outcome === 'ok' && completed.reports.map((o) => o.outcome), ['task_finished', 'task_not_found']);
    const extended = await store.extendLeases(w.workerId, [t!.taskId, 'nope'], T0, RULES);
    assert.deepEqual(extended.outcome === 'ok' && extended.reports.map((o) => o.outcome), ['task_finished', 'task_not_found']);
    assert.equal((await store.getTask(t!.taskId))!.state, 'succeeded');
    assert.equal((await store.completeTasks('ghost', [{ taskId: t!.taskId }], T0)).outcome, 'worker_not_found');
  });

  test('fail schedules a retry after the backoff, then moves to the failed queue with every reason when attempts are spent', async () => {
    await store.updateQueuePolicy('a', { maxAttempts: 2, backoffSeconds: 10 }, T0);
    const p = await publish(['a']);
    const w = await store.registerWorker('w', ['a'], T0);
    const [t1] = await claim(w.workerId);
    const r1 = await store.failTasks(w.workerId, [{ taskId: t1!.taskId, failReason: 'boom 1' }], T0, RULES);
    assert.deepEqual(r1.outcome === 'ok' && [r1.reports[0]!.outcome, (r1.reports[0] as { state: string }).state], ['ok', 'scheduled']);
    assert.equal((await claim(w.workerId, 1, T0 + 9_999)).length, 0);
    const [t2] = await claim(w.workerId, 1, T0 + 10_000);
    assert.equal(t2!.taskId, p.tasks[0]!.taskId);
    assert.equal(t2!.attempts, 2);
    await store.failTasks(w.workerId, [{ taskId: t2!.taskId, failReason: 'boom 2' }], T0 + 10_000, RULES);
    const failed = await store.getTask(t2!.taskId);
    assert.equal(failed!.state, 'failed');
    assert.equal(failed!.failReason, 'boom 2');
    assert.deepEqual(failed!.history.filter((h) => h.what === 'failed').map((h) => h.reason), ['boom 1', 'boom 2']);
    const list = await store.listFailedTasks({}, 10, 0);
    assert.equal(list.total, 1);
  });

  test('the event maxAttempts overrides the queue policy', async () => {
    await publish(['a'], { maxAttempts: 1 });
    const w = await store.registerWorker('w', ['a'], T0);
    const [t] = await claim(w.workerId);
    await store.failTasks(w.workerId, [{ taskId: t!.taskId }], T0, RULES);
    assert.equal((await store.getTask(t!.taskId))!.state, 'failed');
  });

  test('progress extends the lease and keeps the task started', async () => {
    await publish(['a']);
    const w = await store.registerWorker('w', ['a'], T0);
    const [t] = await claim(w.workerId);
    await store.extendLeases(w.workerId, [t!.taskId], T0 + 50_000, RULES);
    const after = await store.getTask(t!.taskId);
    assert.equal(after!.state, 'started');
    assert.equal(after!.leaseExpiresAtMs, T0 + 110_000);
    assert.deepEqual(await store.expireLeases(T0 + 61_000, 100), { returned: 0, failed: 0 });
  });

  test('reEnqueue on success puts a fresh ready copy in the same queue', async () => {
    const p = await publish(['a']);
    const w = await store.registerWorker('w', ['a'], T0);
    const [t] = await claim(w.workerId);
    const r = await store.completeTasks(w.workerId, [{ taskId: t!.taskId, reEnqueue: true }], T0);
    const copyId = r.outcome === 'ok' && r.reports[0]!.outcome === 'ok' ? r.reports[0]!.reEnqueuedTaskId : undefined;
    assert.ok(copyId);
    const copy = await store.getTask(copyId!);
    assert.equal(copy!.state, 'ready');
    assert.equal(copy!.eventId, p.eventId);
    assert.equal(copy!.attempts, 0);
  });

  test('reEnqueue on fail closes the task as cancelled with its reason, not in the failed queue, and puts a fresh copy back', async () => {
    await publish(['a']);
    const w = await store.registerWorker('w', ['a'], T0);
    const [t] = await claim(w.workerId);
    const r = await store.failTasks(w.workerId, [{ taskId: t!.taskId, failReason: 'try later', reEnqueue: true }], T0, RULES);
    const o = r.outcome === 'ok' ? r.reports[0]! : undefined;
    assert.equal(o?.outcome === 'ok' && o.state, 'cancelled');
    const closed = await store.getTask(t!.taskId);
    assert.equal(closed!.history.at(-1)!.reason, 'try later');
    assert.equal((await store.listFailedTasks({}, 10, 0)).total, 0);
    const copyId = o?.outcome === 'ok' ? o.reEnqueuedTaskId : undefined;
    assert.equal((await store.getTask(copyId!))!.state, 'ready');
  });
}
