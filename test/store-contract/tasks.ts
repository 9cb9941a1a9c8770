// Store contract, tasks: cancel.
import assert from 'node:assert/strict';
import { T0, type Kit } from './harness.js';

export function tasksContract({ store, test, publish, claim }: Kit) {
  test('cancel by task and by event cancels waiting copies only', async () => {
    const a = await publish(['a', 'b']);
    const w = await store.registerWorker('w', ['b'], T0);
    const [started] = await claim(w.workerId);
    assert.equal(await store.cancelWaitingTasks({ taskId: started!.taskId }, T0), 'not_waiting');
    assert.deepEqual(await store.cancelWaitingTasks({ eventId: a.eventId }, T0), { cancelled: 1 });
    assert.equal((await store.getTask(started!.taskId))!.state, 'started');
    const b = await publish(['a']);
    assert.deepEqual(await store.cancelWaitingTasks({ taskId: b.tasks[0]!.taskId }, T0), { cancelled: 1 });
    assert.equal(await store.cancelWaitingTasks({ taskId: 'nope' }, T0), null);
    assert.equal(await store.cancelWaitingTasks({ eventId: 'nope' }, T0), null);
  });
}
