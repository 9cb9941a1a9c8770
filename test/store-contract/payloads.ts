// Store contract, payloads: the copies of a fanned-out event share one stored payload (lifecycle/
// copies.ts sharesPayload), every read shows it whole, and it goes with the event's last copy.
import assert from 'node:assert/strict';
import { T0, RULES, type Kit } from './harness.js';

const big = (tag: string) => ({ tag, user: { email: `${tag}@example.com` }, note: 'x'.repeat(600) });

export function payloadsContract({ store, test, publish, claim, stored }: Kit) {
  const storedOf = async (eventId: string) => { const { payloads, copies } = await stored(eventId); return { payloads, copies }; };

  test('a fanned-out payload is stored once, read whole everywhere, and released with its last copy', async () => {
    await store.updateQueuePolicy('a', { maxAttempts: 1 }, T0);
    const data = big('ann');
    const p = await publish(['a', 'b', 'c'], { data });
    const [ta, tb, tc] = p.tasks.map((t) => t.taskId) as [string, string, string];
    assert.deepEqual(await storedOf(p.eventId), { payloads: 1, copies: 3 }, 'three copies and one payload');
    for (const id of [ta, tb, tc]) assert.deepEqual((await store.getTask(id))!.data, data);
    assert.deepEqual((await store.listTasks('b', 'ready', 10, 0)).tasks.map((t) => t.data), [data]);

    const w = await store.registerWorker('w', ['a', 'b'], T0);
    const claimed = await claim(w.workerId, 2);
    assert.deepEqual(claimed.map((t) => t.data), [data, data]);
    await store.failTasks(w.workerId, [{ taskId: ta, failReason: 'bounced' }], T0, RULES);
    await store.completeTasks(w.workerId, [{ taskId: tb, reEnqueue: true }], T0);
    assert.deepEqual((await store.listFailedTasks({ search: 'ann@example' }, 10, 0)).tasks.map((t) => t.taskId), [ta]);
    assert.deepEqual((await store.listFailedTasks({ field: { path: 'user.email', value: 'ann@example.com' } }, 10, 0)).tasks.map((t) => t.data), [data]);
    const again = (await store.listTasks('b', 'ready', 10, 0)).tasks;
    assert.deepEqual(again.map((t) => t.data), [data], 'the reEnqueue copy carries the payload');
    assert.deepEqual(await storedOf(p.eventId), { payloads: 1, copies: 4 }, 'and shares it: still one payload');

    // An edited retry has its own payload and keeps the shared one as its history's original.
    await store.retryFailedTasks({ taskIds: [ta] }, { data: { edited: true } }, T0 + 1);
    const retried = await store.getTask(ta);
    assert.deepEqual(retried!.data, { edited: true });
    assert.deepEqual(retried!.history.at(-1)!.originalData, data);

    // Remove the copies one way each: prune the succeeded one, purge b's and c's waiting copies.
    assert.ok(await store.pruneFinishedTasks(T0 + 10_000, 1, 100) >= 1);
    assert.deepEqual((await store.getTask(tc))!.data, data, 'the payload outlives the copies removed so far');
    await store.purgeWaitingTasks('b');
    await store.purgeWaitingTasks('c');
    assert.deepEqual(await storedOf(p.eventId), { payloads: 1, copies: 1 }, 'left: the edited retry, with its own payload');
    await store.cancelWaitingTasks({ taskId: ta }, T0 + 2);
    await store.pruneFinishedTasks(T0 + 20_000, 1, 100);
    assert.deepEqual(await stored(p.eventId), { payloads: 0, copies: 0, records: 0 }, 'nothing of the event is left');
  });

  test('a small payload is copied into each copy, and a single copy keeps its own', async () => {
    const small = await publish(['a', 'b'], { data: { n: 1 } });
    assert.deepEqual(await storedOf(small.eventId), { payloads: 2, copies: 2 });
    const single = await publish(['a'], { data: big('bo') });
    assert.deepEqual(await storedOf(single.eventId), { payloads: 1, copies: 1 });
    assert.equal(await store.deleteFailedTasks({ taskIds: [] }), 0);
    await store.purgeWaitingTasks('a');
    await store.purgeWaitingTasks('b');
    assert.deepEqual(await stored(small.eventId), { payloads: 0, copies: 0, records: 0 });
    assert.deepEqual(await stored(single.eventId), { payloads: 0, copies: 0, records: 0 });
  });

  test('deleting failed copies releases the payload they shared', async () => {
    await store.updateQueuePolicy('a', { maxAttempts: 1 }, T0);
    await store.updateQueuePolicy('b', { maxAttempts: 1 }, T0);
    const p = await publish(['a', 'b'], { data: big('cy') });
    const w = await store.registerWorker('w', ['a', 'b'], T0);
    const claimed = await claim(w.workerId, 2);
    await store.failTasks(w.workerId, claimed.map((t) => ({ taskId: t.taskId, failReason: 'no' })), T0, RULES);
    assert.equal(await store.deleteFailedTasks({ all: true, filter: { search: 'cy@example' } }), 2);
    assert.deepEqual(await stored(p.eventId), { payloads: 0, copies: 0, records: 0 });
  });
}
