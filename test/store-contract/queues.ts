// Store contract, interests and queues.
import assert from 'node:assert/strict';
import { T0, ev, type Kit } from './harness.js';
import { StoreUnavailableError } from '../../src/errors.js';

export function queuesContract({ store, test, publish, claim }: Kit) {
  test('interests: set bumps the revision, load returns the maps, remove keeps the queue', async () => {
    const r0 = await store.interestsRevision();
    const a1 = await store.setInterests('a', { type: '^x$' }, T0);
    const b1 = await store.setInterests('b', '*', T0);
    const a2 = await store.setInterests('a', { type: '^y$' }, T0);
    assert.deepEqual([a1.created, b1.created, a2.created], [true, true, false], 'created only when the queue was not declared before');
    const [r1, r2] = [a1.revision, a2.revision];
    assert.ok(r1 > r0 && b1.revision > r1 && r2 > b1.revision);
    await store.setInterests('a', { type: '^x$' }, T0);
    const r3 = await store.interestsRevision();
    const loaded = await store.loadInterests();
    assert.equal(loaded.revision, r3);
    assert.deepEqual(loaded.queues, [{ queue: 'a', interests: { type: '^x$' } }, { queue: 'b', interests: '*' }]);
    assert.equal(await store.removeInterests('a', T0), true);
    assert.ok((await store.interestsRevision()) > r3);
    assert.deepEqual((await store.loadInterests()).queues.map((q) => q.queue), ['b']);
    assert.ok(await store.getQueuePolicy('a'));
    assert.equal(await store.removeInterests('never', T0), false);
  });

  test('deleting a queue removes its waiting tasks and interests, not started ones nor other queues', async () => {
    await store.setInterests('a', '*', T0);
    await publish(['a']);
    await publish(['a']);
    await publish(['b']);
    const w = await store.registerWorker('w', ['a'], T0);
    const [started] = await claim(w.workerId);
    assert.deepEqual(await store.deleteQueue('a'), { waitingTasksDeleted: 1 });
    assert.equal((await store.getTask(started!.taskId))!.state, 'started');
    assert.deepEqual((await store.loadInterests()).queues, []);
    assert.equal((await store.queueSummaries('b'))[0]!.counts.ready, 1);
    assert.equal(await store.deleteQueue('never'), null);
  });

  test('purging a queue removes its waiting tasks only; the queue, its interests and started tasks stay', async () => {
    await store.setInterests('a', '*', T0);
    await publish(['a']);
    await publish(['a']);
    await publish(['a'], { runAtMs: T0 + 60_000 });
    await publish(['b']);
    const w = await store.registerWorker('w', ['a'], T0);
    const [started] = await claim(w.workerId);
    assert.equal(await store.purgeWaitingTasks('a'), 2);
    const [a] = await store.queueSummaries('a');
    assert.deepEqual([a!.counts.ready, a!.counts.scheduled, a!.counts.started], [0, 0, 1]);
    assert.equal((await store.getTask(started!.taskId))!.state, 'started');
    assert.equal((await store.loadInterests()).queues.length, 1);
    assert.equal((await store.queueSummaries('b'))[0]!.counts.ready, 1);
    assert.equal(await store.purgeWaitingTasks('never'), 0);
  });

  test('a purge of more waiting tasks than one transaction takes removes them all, with their events and counts', async () => {
    await store.setInterests('a', '*', T0);
    const events = [...Array.from({ length: 330 }, () => ev(['a'])), ...Array.from({ length: 120 }, () => ev(['a'], { runAtMs: T0 + 60_000 }))];
    for (let i = 0; i < events.length; i += 150) assert.equal((await store.publishEvents(events.slice(i, i + 150), T0)).outcome, 'ok');
    await publish(['b']);
    assert.equal(await store.purgeWaitingTasks('a'), 450);
    const [a] = await store.queueSummaries('a');
    assert.deepEqual([a!.counts.ready, a!.counts.scheduled], [0, 0]);
    for (const e of [events[0]!, events[299]!, events[449]!]) assert.equal(await store.cancelWaitingTasks({ eventId: e.eventId }, T0), null);
    assert.equal((await store.queueSummaries('b'))[0]!.counts.ready, 1);
  });

  test('queue policy: defaults, partial updates, whole policy back', async () => {
    assert.equal(await store.getQueuePolicy('a'), null);
    const first = await store.updateQueuePolicy('a', { maxAttempts: 3, leaseSeconds: 5 }, T0);
    assert.equal(first.created, true);
    const p = first.policy;
    assert.deepEqual(p, { paused: false, maxAttempts: 3, backoffSeconds: 10, maxBackoffSeconds: 3600, leaseSeconds: 5, rateLimit: null, concurrency: null,
      pushUrl: null, pushTimeoutSeconds: 30, pushSecret: null, allowTaskPushUrl: false });
    const second = await store.updateQueuePolicy('a', { paused: true, leaseSeconds: null, pushUrl: 'http://127.0.0.1:9/hook', pushTimeoutSeconds: 2.5, pushSecret: 's3cret' }, T0);
    assert.equal(second.created, false);
    const q = second.policy;
    assert.equal(q.paused, true);
    assert.equal(q.leaseSeconds, null);
    assert.equal(q.maxAttempts, 3);
    assert.deepEqual([q.pushUrl, q.pushTimeoutSeconds, q.pushSecret], ['http://127.0.0.1:9/hook', 2.5, 's3cret']);
    assert.deepEqual(await store.getQueuePolicy('a'), q);
  });

  test('close() lets a write under way finish; a write after it is refused as unavailable, at once', async () => {
    // A Couchbase transaction begun on a closed cluster never settled, and kept the process alive.
    const under = store.setInterests('a', '*', T0);
    const closing = store.close();
    assert.equal((await under).created, true, 'the write under way ended well');
    await closing;
    await assert.rejects(store.setInterests('b', '*', T0), (e: Error) => e instanceof StoreUnavailableError);
  });

  test('every change of a queue\'s interests is kept, newest first, with who made it and the revision it made', async () => {
    const r1 = await store.setInterests('hist', { type: '^a$' }, T0, { who: 'ops' });
    const r2 = await store.setInterests('hist', [{ type: { equals: 'b' } }], T0 + 1000, { who: null });
    assert.equal(await store.removeInterests('hist', T0 + 2000, { who: 'ops' }), true);
    const r4 = await store.setInterests('hist', { type: '^a$' }, T0 + 3000, { who: 'ops', rollbackOf: r1.revision });
    const h = await store.interestHistory('hist', 10, 0);
    assert.equal(h.total, 4);
    assert.deepEqual(h.changes.map((c) => [c.interests, c.who, c.atMs, c.rollbackOf]), [
      [{ type: '^a$' }, 'ops', T0 + 3000, r1.revision], [null, 'ops', T0 + 2000, null], [[{ type: { equals: 'b' } }], null, T0 + 1000, null], [{ type: '^a$' }, 'ops', T0, null],
    ]);
    assert.ok(h.changes[0]!.revision === r4.revision && h.changes[2]!.revision === r2.revision && h.changes[1]!.revision > r2.revision);
    assert.deepEqual((await store.interestHistory('hist', 1, 1)).changes.map((c) => c.interests), [null]);
    assert.deepEqual((await store.interestChange('hist', r2.revision))?.interests, [{ type: { equals: 'b' } }]);
    assert.equal(await store.interestChange('hist', 999_999), null);
    assert.deepEqual(await store.interestHistory('never', 10, 0), { total: 0, changes: [] });
  });
}
