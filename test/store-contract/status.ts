// Store contract, status: counts that match the tasks, summaries, totals, counters.
import assert from 'node:assert/strict';
import { T0, RULES, type Kit } from './harness.js';

export function statusContract({ store, test, publish, claim }: Kit) {
  /** Every queue's count per state equals the tasks the store lists in it; returns where tasks are. */
  async function countsMatchTasks(when: string): Promise<string[]> {
    const held: string[] = [];
    for (const queue of ['a', 'b', 'c']) {
      const [summary] = await store.queueSummaries(queue);
      for (const state of ['scheduled', 'ready', 'started', 'succeeded', 'failed', 'cancelled'] as const) {
        const { total, tasks } = await store.listTasks(queue, state, 1000, 0);
        assert.equal(total, tasks.length, `${when}, ${queue} ${state}: the count says ${total}, the store holds ${tasks.length}`);
        assert.equal(summary?.counts[state] ?? 0, tasks.length, `${when}, ${queue} ${state} in the summary`);
        if (tasks.length) held.push(`${queue} ${state}`);
      }
    }
    return held;
  }

  test('the counts a store keeps match the tasks it holds, after every kind of move', async () => {
    await store.updateQueuePolicy('a', { maxAttempts: 2, backoffSeconds: 1 }, T0);
    await store.updateQueuePolicy('b', { maxAttempts: 1 }, T0);
    const w = await store.registerWorker('w', ['a', 'b'], T0);
    const gone = await store.registerWorker('gone', ['a'], T0);
    for (let i = 0; i < 6; i++) await publish(['a', 'b'], { data: { i } });
    await publish(['a'], { scope: 'all', data: { all: 1 } });
    await publish(['a'], { runAtMs: T0 + 60_000, data: { later: 1 } });
    const cancelled = await publish(['a', 'b'], { runAtMs: T0 + 120_000, data: { later: 2 } });
    const claimed = [...await claim(w.workerId, 6, T0), ...await claim(w.workerId, 10, T0)];
    const inA = claimed.filter((t) => t.queue === 'a');
    const inB = claimed.filter((t) => t.queue === 'b');
    assert.deepEqual([inA.length, inB.length], [7, 6], 'a: six events and w\'s scope-all copy; b: six events');
    const [a1, a2, a3, a4, a5] = inA;
    const [b1, b2] = inB;
    await store.completeTasks(w.workerId, [{ taskId: a1!.taskId }, { taskId: a3!.taskId, reEnqueue: true }, { taskId: b2!.taskId }], T0 + 1);
    await store.failTasks(w.workerId, [
      { taskId: a2!.taskId, failReason: 'retry me', draw: 0 },
      { taskId: a4!.taskId, reEnqueue: true },
      { taskId: b1!.taskId, failReason: 'into the failed queue' },
    ], T0 + 1, RULES);
    await store.extendLeases(w.workerId, [a5!.taskId], T0 + 1, RULES);
    assert.deepEqual(await store.cancelWaitingTasks({ eventId: cancelled.eventId }, T0 + 2), { cancelled: 2 });
    await store.removeWorkers({ workerId: gone.workerId }, T0 + 3);
    const held = await countsMatchTasks('after reports, a cancel and a removed worker');
    assert.ok(held.length >= 6, `the fixture holds tasks in many places: ${held.join(', ')}`);
    await store.promoteDueTasks(T0 + 61_000, 100);
    await store.expireLeases(T0 + 200_000, 100);
    assert.ok(await store.retryFailedTasks({ all: true, filter: { queue: 'b' } }, { toQueue: 'c' }, T0 + 200_001) >= 1);
    await countsMatchTasks('after promotion, expiry and a retry into another queue');
    await store.purgeWaitingTasks('c');
    const failedInA = await store.listFailedTasks({ queue: 'a' }, 1, 0);
    if (failedInA.tasks[0]) assert.equal(await store.deleteFailedTasks({ taskIds: [failedInA.tasks[0].taskId] }), 1);
    assert.ok(await store.pruneFinishedTasks(T0 + 200_002, 1, 1000) > 0);
    await countsMatchTasks('at the end');
    const totals = (await store.totals()).a!;
    assert.deepEqual([totals.started, totals.succeeded], [inA.length, 2], 'a: every claim counted as started; two successes');
  });

  test('summaries count every state; totals count the work done', async () => {
    await publish(['a']);
    await publish(['a'], { runAtMs: T0 + 1000 });
    const w = await store.registerWorker('w', ['a'], T0);
    const [t] = await claim(w.workerId);
    await store.completeTasks(w.workerId, [{ taskId: t!.taskId }], T0);
    const [s] = await store.queueSummaries('a');
    assert.deepEqual(s!.counts, { scheduled: 1, ready: 0, started: 0, succeeded: 1, failed: 0, cancelled: 0 });
    const totals = await store.totals();
    assert.deepEqual(totals.a, { published: 2, started: 1, succeeded: 1, failed: 0, retried: 0 });
    const minutes = await store.throughput(T0 - 60_000, T0);
    assert.equal(minutes.reduce((n, m) => n + m.published, 0), 2);
    assert.deepEqual(['started', 'succeeded', 'failed', 'retried'].map((k) => minutes.reduce((n, m) => n + (m as unknown as Record<string, number>)[k]!, 0)), [1, 1, 0, 0]);
  });


  test('ready counts per queue, for the long polls\' tick', async () => {
    await publish(['a', 'b']);
    await publish(['a']);
    const w = await store.registerWorker('w', ['a'], T0);
    await claim(w.workerId);
    assert.deepEqual(Object.fromEntries(await store.readyCounts(['a', 'b', 'none'])), { a: 1, b: 1, none: 0 });
    const before = await store.countQueues();
    await store.setInterests('c', '*', T0);
    assert.equal(await store.countQueues(), before + 1, 'a newly declared queue counts once');
    await store.setInterests('c', { k: 'v' }, T0);
    assert.equal(await store.countQueues(), before + 1);
  });

  test('counters are kept in the store', async () => {
    await store.addToCounter('x', 2);
    await store.addToCounter('x', 3);
    assert.equal(await store.counter('x'), 5);
    assert.equal(await store.counter('never'), 0);
  });
}
