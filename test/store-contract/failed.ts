// Store contract, the failed queue: lists, retries, deletes.
import assert from 'node:assert/strict';
import { T0, RULES, type Kit } from './harness.js';

export function failedContract({ store, test, publish, claim, failInto }: Kit) {
  test('the failed queue filters by queue, reason and payload text, newest first', async () => {
    await failInto('a', 'timeout talking to smtp', { user: 'ann' });
    await failInto('a', 'bad address', { user: 'bob' });
    await failInto('b', 'timeout again', { user: 'cy' });
    assert.equal((await store.listFailedTasks({}, 10, 0)).total, 3);
    assert.equal((await store.listFailedTasks({ queue: 'a' }, 10, 0)).total, 2);
    assert.deepEqual((await store.listFailedTasks({ reason: 'timeout' }, 10, 0)).tasks.map((t) => t.queue).sort(), ['a', 'b']);
    assert.deepEqual((await store.listFailedTasks({ search: 'bob' }, 10, 0)).tasks.map((t) => t.failReason), ['bad address']);
    assert.equal((await store.listFailedTasks({ search: '100%_' }, 10, 0)).total, 0, '% and _ are literal');
    assert.deepEqual((await store.listFailedTasks({ field: { path: 'user', value: 'cy' } }, 10, 0)).tasks.map((t) => t.queue), ['b']);
    assert.equal((await store.listFailedTasks({ field: { path: 'user', value: 'c' } }, 10, 0)).total, 0, 'field = value is exact');
    assert.equal((await store.listFailedTasks({ field: { path: 'name', value: 'cy' } }, 10, 0)).total, 0, 'another field does not match');
    // Texts JSON writes otherwise (a quote, a backslash) and texts it writes as they are, numbers by their text.
    await failInto('c', 'quoted', { says: 'a "b" \\ c', who: 'zoë', n: 1.5 });
    for (const [path, value] of [['says', 'a "b" \\ c'], ['who', 'zoë'], ['n', '1.5']] as const) {
      assert.deepEqual((await store.listFailedTasks({ field: { path, value } }, 10, 0)).tasks.map((t) => t.failReason), ['quoted'], `${path} = ${value}`);
    }
    const page = await store.listFailedTasks({}, 1, 1);
    assert.equal(page.tasks.length, 1);
    assert.equal(page.total, 4);
  });

  test('failed tasks page newest first from either end: every page is that slice of the whole list', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 11; i++) ids.unshift(await failInto('fpages', `reason ${i}`, { i }));
    const all = await store.listFailedTasks({ queue: 'fpages' }, 100, 0);
    assert.deepEqual([all.total, all.tasks.map((t) => t.taskId)], [11, ids]);
    for (let offset = 0; offset <= 12; offset++) {
      for (let limit = 1; limit <= 4; limit++) {
        const page = await store.listFailedTasks({ queue: 'fpages' }, limit, offset);
        assert.deepEqual([page.total, page.tasks.map((t) => t.taskId)], [11, ids.slice(offset, offset + limit)], `offset ${offset}, limit ${limit}`);
      }
    }
  });

  test('retry moves a failed task to ready with fresh attempts, into another queue with edited data, keeping the original in history', async () => {
    const id = await failInto('a', 'bad', { v: 1 });
    const other = await failInto('a', 'bad', { v: 2 });
    assert.equal(await store.retryFailedTasks({ taskIds: [id] }, { toQueue: 'c', data: { v: 99 } }, T0 + 1), 1);
    const t = await store.getTask(id);
    assert.equal(t!.state, 'ready');
    assert.equal(t!.queue, 'c');
    assert.equal(t!.attempts, 0);
    assert.deepEqual(t!.data, { v: 99 });
    const h = t!.history.at(-1)!;
    assert.equal(h.what, 'retried');
    assert.deepEqual(h.originalData, { v: 1 });
    assert.equal((await store.getTask(other))!.state, 'failed');
    assert.equal(await store.retryFailedTasks({ taskIds: [id] }, {}, T0), 0, 'a task no longer failed is not retried');
  });

  test('retry all and delete all act on the filtered failed tasks only', async () => {
    await failInto('a', 'x', { v: 1 });
    await failInto('a', 'x', { v: 2 });
    const inB = await failInto('b', 'x', { v: 3 });
    assert.equal(await store.retryFailedTasks({ all: true, filter: { queue: 'a' } }, {}, T0), 2);
    assert.equal((await store.getTask(inB))!.state, 'failed');
    assert.equal(await store.deleteFailedTasks({ all: true, filter: { queue: 'b' } }), 1);
    assert.equal(await store.getTask(inB), null);
    assert.equal((await store.queueSummaries('a'))[0]!.counts.ready, 2);
  });
}
