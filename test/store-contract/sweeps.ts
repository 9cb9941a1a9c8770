// Store contract, sweeps: due tasks promoted, finished tasks pruned.
import assert from 'node:assert/strict';
import { T0, type Kit } from './harness.js';

export function sweepsContract({ store, test, publish, claim, failInto }: Kit) {
  test('promoteDueTasks makes due scheduled tasks ready and leaves later ones', async () => {
    await publish(['a'], { runAtMs: T0 + 1000 });
    await publish(['a'], { runAtMs: T0 + 5000 });
    assert.equal(await store.promoteDueTasks(T0 + 1000, 100), 1);
    assert.deepEqual((await store.queueSummaries('a'))[0]!.counts.ready, 1);
  });

  test('pruning deletes old succeeded and cancelled tasks, never failed or waiting ones', async () => {
    const done = await publish(['a']);
    const cancelled = await publish(['a']);
    const waiting = await publish(['a']);
    const w = await store.registerWorker('w', ['a'], T0);
    await claim(w.workerId);
    await store.completeTasks(w.workerId, [{ taskId: done.tasks[0]!.taskId }], T0);
    await store.cancelWaitingTasks({ taskId: cancelled.tasks[0]!.taskId }, T0);
    const failed = await failInto('b', 'x', {});
    assert.equal(await store.pruneFinishedTasks(T0 + 500, 1000, 100), 0, 'not old enough yet');
    assert.equal(await store.pruneFinishedTasks(T0 + 2000, 1000, 100), 2);
    assert.equal(await store.getTask(done.tasks[0]!.taskId), null);
    assert.ok(await store.getTask(waiting.tasks[0]!.taskId));
    assert.ok(await store.getTask(failed));
  });
}
