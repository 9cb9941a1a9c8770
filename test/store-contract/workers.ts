// Store contract, leases and workers: expiry, registration, removal.
import assert from 'node:assert/strict';
import { T0, RULES, type Kit } from './harness.js';

export function workersContract({ store, test, publish, claim }: Kit) {
  test('an expired lease returns the task to ready, and a task out of attempts goes to the failed queue', async () => {
    await store.updateQueuePolicy('a', { maxAttempts: 2 }, T0);
    const p = await publish(['a']);
    const keep = await publish(['b']);
    const w = await store.registerWorker('w', ['a', 'b'], T0);
    await claim(w.workerId, 1);
    const [kept] = await claim(w.workerId, 1, T0 + 30_000);
    assert.deepEqual(await store.expireLeases(T0 + 60_001, 100), { returned: 1, failed: 0 });
    assert.equal((await store.getTask(p.tasks[0]!.taskId))!.state, 'ready');
    assert.equal((await store.getTask(kept!.taskId))!.state, 'started', 'a lease not yet expired is untouched');
    assert.equal(kept!.taskId, keep.tasks[0]!.taskId);
    await claim(w.workerId, 1, T0 + 60_001);
    assert.deepEqual(await store.expireLeases(T0 + 200_000, 100), { returned: 1, failed: 1 });
    assert.equal((await store.getTask(p.tasks[0]!.taskId))!.state, 'failed');
  });

  test('removing a worker returns its started tasks and cancels copies made for it', async () => {
    const w = await store.registerWorker('w', ['a'], T0);
    const other = await store.registerWorker('other', ['a'], T0);
    await publish(['a']);
    const [t] = await claim(w.workerId);
    await publish(['a'], { scope: 'all' });
    const r = await store.removeWorkers({ workerId: w.workerId }, T0);
    assert.deepEqual(r, { workers: 1, tasksReturned: 1, tasksCancelled: 1 });
    assert.equal((await store.getTask(t!.taskId))!.state, 'ready');
    assert.equal(await store.getWorker(w.workerId), null);
    const [s] = await store.queueSummaries('a');
    assert.equal(s!.counts.cancelled, 1);
    assert.equal(s!.counts.ready, 2, "the returned task and the other worker's copy");
    assert.ok(await store.getWorker(other.workerId));
  });

  test('removing by queue removes every worker of that queue and no other', async () => {
    await store.registerWorker('w1', ['a'], T0);
    await store.registerWorker('w2', ['b', 'a'], T0);
    const keep = await store.registerWorker('w3', ['b'], T0);
    assert.equal(await store.countWorkers(), 3);
    assert.equal((await store.removeWorkers({ queue: 'a' }, T0)).workers, 2);
    assert.deepEqual((await store.listWorkers()).map((w) => w.workerId), [keep.workerId]);
    assert.equal(await store.countWorkers(), 1);
  });

  test('idle workers are reaped and their tasks come back; fresh ones stay', async () => {
    await publish(['a']);
    const idle = await store.registerWorker('idle', ['a'], T0);
    const [t] = await claim(idle.workerId);
    const fresh = await store.registerWorker('fresh', ['a'], T0 + 500_000);
    const r = await store.reapIdleWorkers(T0 + 100_000, T0 + 600_000, 100);
    assert.deepEqual(r, { workers: 1, tasksReturned: 1, tasksCancelled: 0 });
    assert.equal((await store.getTask(t!.taskId))!.state, 'ready');
    assert.ok(await store.getWorker(fresh.workerId));
  });

  /** The invariant: a waiting copy made for one worker names a worker that exists and serves its queue. */
  async function assertNoTaskWaitsForAMissingWorker(queues: string[]) {
    let checked = 0;
    for (const queue of queues) {
      for (const state of ['ready', 'scheduled'] as const) {
        for (const t of (await store.listTasks(queue, state, 1000, 0)).tasks) {
          checked++;
          if (t.targetWorkerId === null) continue;
          const w = await store.getWorker(t.targetWorkerId);
          assert.ok(w?.queues.includes(t.queue), `task ${t.taskId} (${state} in ${queue}) waits for worker ${t.targetWorkerId}, which ${w ? `does not serve ${queue}` : 'does not exist'}`);
        }
      }
    }
    return checked;
  }

  test('no task waits for a worker that does not exist: after removal, reaping, retry and lease expiry', async () => {
    const gone = await store.registerWorker('gone', ['a'], T0);
    const idle = await store.registerWorker('idle', ['a'], T0);
    const stays = await store.registerWorker('stays', ['a', 'b'], T0 + 500_000);
    // gone fails its copy of a one-attempt event into the failed queue; idle starts its copy
    await publish(['a'], { scope: 'all', maxAttempts: 1 });
    const [g] = await claim(gone.workerId);
    await store.failTasks(gone.workerId, [{ taskId: g!.taskId, failReason: 'boom' }], T0, RULES);
    const [i] = await claim(idle.workerId);
    // a second event, first in line: stays starts its copy of it
    await publish(['a'], { scope: 'all', priority: 1 });
    const [st] = await claim(stays.workerId, 1, T0 + 500_000);
    assert.deepEqual(await store.removeWorkers({ workerId: gone.workerId }, T0 + 1), { workers: 1, tasksReturned: 0, tasksCancelled: 1 });
    assert.deepEqual(await store.reapIdleWorkers(T0 + 100_000, T0 + 600_000, 100), { workers: 1, tasksReturned: 0, tasksCancelled: 2 });
    assert.equal((await store.getTask(i!.taskId))!.state, 'cancelled');
    // the failed copy of the removed worker, retried: for any worker of its queue now
    assert.equal(await store.retryFailedTasks({ taskIds: [g!.taskId] }, {}, T0 + 600_001), 1);
    const retried = await store.getTask(g!.taskId);
    assert.deepEqual([retried!.state, retried!.targetWorkerId, retried!.failReason], ['ready', null, null]);
    assert.match(String(retried!.history.at(-1)!.released), /is gone/);
    // stays' started copy outlives its lease: it comes back as stays' own, since stays still serves a
    assert.deepEqual(await store.expireLeases(T0 + 561_000, 100), { returned: 1, failed: 0 });
    assert.equal((await store.getTask(st!.taskId))!.targetWorkerId, stays.workerId);
    assert.equal(await assertNoTaskWaitsForAMissingWorker(['a', 'b']), 3, 'the retried copy and stays\' two copies');
    // and stays takes all three: its own two and the released one
    const got = (await claim(stays.workerId, 10, T0 + 700_000)).map((t) => t.taskId);
    assert.equal(got.length, 3);
    assert.ok(got.includes(g!.taskId) && got.includes(st!.taskId));
  });

  test('a failed copy retried while its worker serves the queue stays that worker\'s; into a queue it does not serve, it is for anyone', async () => {
    await store.updateQueuePolicy('a', { maxAttempts: 1 }, T0);
    const w = await store.registerWorker('w', ['a'], T0);
    const other = await store.registerWorker('other', ['a', 'b'], T0);
    await publish(['a'], { scope: 'all' });
    const failed: string[] = [];
    for (const worker of [w, other]) {
      const [t] = await claim(worker.workerId);
      await store.failTasks(worker.workerId, [{ taskId: t!.taskId, failReason: 'x' }], T0, RULES);
      failed.push(t!.taskId);
    }
    assert.equal(await store.retryFailedTasks({ taskIds: [failed[0]!] }, {}, T0), 1);
    assert.equal((await store.getTask(failed[0]!))!.targetWorkerId, w.workerId);
    assert.equal((await claim(other.workerId)).length, 0, 'another worker does not take it');
    assert.equal(await store.retryFailedTasks({ taskIds: [failed[1]!] }, { toQueue: 'c' }, T0), 1);
    assert.equal((await store.getTask(failed[1]!))!.targetWorkerId, null, 'other does not serve c');
    assert.equal(await assertNoTaskWaitsForAMissingWorker(['a', 'c']), 2);
  });

  test('a task that succeeds after a failed attempt carries no stale failReason; the reason stays in history', async () => {
    await store.updateQueuePolicy('a', { maxAttempts: 3, backoffSeconds: 1 }, T0);
    const p = await publish(['a']);
    const w = await store.registerWorker('w', ['a'], T0);
    await claim(w.workerId);
    await store.failTasks(w.workerId, [{ taskId: p.tasks[0]!.taskId, failReason: 'flaky' }], T0, RULES);
    assert.equal((await store.getTask(p.tasks[0]!.taskId))!.failReason, 'flaky', 'waiting for its retry, the reason is current');
    await claim(w.workerId, 1, T0 + 5_000);
    assert.equal((await store.getTask(p.tasks[0]!.taskId))!.failReason, null, 'started again: the old reason is history');
    await store.completeTasks(w.workerId, [{ taskId: p.tasks[0]!.taskId }], T0 + 5_001);
    const t = await store.getTask(p.tasks[0]!.taskId);
    assert.deepEqual([t!.state, t!.failReason], ['succeeded', null]);
    assert.deepEqual(t!.history.filter((h) => h.what === 'failed').map((h) => h.reason), ['flaky']);
  });

  test('a fail report\'s draw sets the retry jitter: the store rolls no dice of its own', async () => {
    await store.updateQueuePolicy('a', { maxAttempts: 3, backoffSeconds: 10 }, T0);
    const p = await publish(['a']);
    const w = await store.registerWorker('w', ['a'], T0);
    await claim(w.workerId);
    const r = await store.failTasks(w.workerId, [{ taskId: p.tasks[0]!.taskId, draw: 1 }], T0, { ...RULES, backoffJitter: 0.2 });
    assert.equal(r.outcome === 'ok' && r.reports[0]!.outcome === 'ok' && r.reports[0]!.retryAtMs, T0 + 12_000, '10 s + 20% at the top draw');
  });
}
