// Store contract, claiming: order, limits, whose copy, singularlyRun.
import assert from 'node:assert/strict';
import { T0, RULES, type Kit } from './harness.js';

export function claimContract({ store, test, publish, claim }: Kit) {
  test('a worker takes its own copies and copies for anyone in one claim order, past other workers\' copies', async () => {
    const other = await store.registerWorker('other', ['a'], T0);
    const w = await store.registerWorker('w', ['a'], T0);
    for (let i = 0; i < 3; i++) await publish(['a'], { scope: 'all', data: { i } }); // other's copies come first
    const anyone = await publish(['b']); // not w's queue: stays put
    const plain = await publish(['a'], { runAtMs: T0 - 1 }); // due earlier than every copy
    const urgent = await publish(['a'], { scope: 'all', priority: 5 });
    const mine = (p: Awaited<ReturnType<typeof publish>>) => p.tasks.find((t) => t.targetWorkerId === w.workerId || t.targetWorkerId === null)!.taskId;
    const [first] = await claim(w.workerId);
    const [second] = await claim(w.workerId);
    assert.deepEqual([first!.taskId, second!.taskId], [mine(urgent), plain.tasks[0]!.taskId]);
    const rest = await claim(w.workerId, 10);
    assert.equal(rest.length, 3, 'its three scope-all copies, none of other\'s');
    assert.deepEqual(rest.map((t) => t.data), [{ i: 0 }, { i: 1 }, { i: 2 }]);
    assert.equal((await claim(other.workerId, 10)).length, 4);
    assert.equal((await store.getTask(anyone.tasks[0]!.taskId))!.state, 'ready');
  });


  test('claims follow the worker queue order, then priority, then due time, then arrival', async () => {
    await publish(['second'], { priority: 9 });
    const late = await publish(['first'], { runAtMs: T0 - 1000 });
    const early = await publish(['first'], { runAtMs: T0 - 2000 });
    const high = await publish(['first'], { priority: 5 });
    const arrivedFirst = await publish(['first'], { runAtMs: T0 - 1000 });
    const w = await store.registerWorker('w', ['first', 'second'], T0);
    const got = await claim(w.workerId, 10);
    assert.deepEqual(got.map((t) => t.eventId), [high.eventId, early.eventId, late.eventId, arrivedFirst.eventId, got[4]!.eventId]);
    assert.equal(got[4]!.queue, 'second');
    for (const t of got) {
      assert.equal(t.attempts, 1); assert.equal(t.leaseExpiresAtMs, T0 + 60_000);
      const stored = await store.getTask(t.taskId);
      assert.equal(stored!.state, 'started'); assert.equal(stored!.workerId, w.workerId); assert.equal(stored!.leaseExpiresAtMs, T0 + 60_000);
    }
  });

  test('a claim that names some of the worker\'s queues looks only in those, in the worker\'s order', async () => {
    const w = await store.registerWorker('w', ['a', 'b', 'c'], T0);
    await publish(['a']);
    await publish(['b']);
    await publish(['c']);
    const only = async (queues: string[]) => {
      const r = await store.claimTasks(w.workerId, 5, T0, RULES, queues);
      return r.outcome === 'ok' ? r.tasks.map((t) => t.queue) : [];
    };
    assert.deepEqual(await only(['c', 'b']), ['b', 'c']);
    assert.deepEqual(await only(['b', 'x']), [], 'nothing left in b; x is not the worker\'s');
    assert.deepEqual((await claim(w.workerId, 5)).map((t) => t.queue), ['a'], 'a claim naming none looks in every queue');
  });

  test('a claimed task is not handed out again while started', async () => {
    await publish(['a']);
    const w1 = await store.registerWorker('w1', ['a'], T0);
    const w2 = await store.registerWorker('w2', ['a'], T0);
    assert.equal((await claim(w1.workerId)).length, 1);
    assert.equal((await claim(w2.workerId)).length, 0);
  });

  test('claiming for an unknown worker is worker_not_found and changes nothing', async () => {
    await publish(['a']);
    const r = await store.claimTasks('nobody', 1, T0, RULES);
    assert.equal(r.outcome, 'worker_not_found');
    assert.equal((await store.queueSummaries('a'))[0]!.counts.ready, 1);
  });

  test('a paused queue hands out nothing; the worker gets its next queue', async () => {
    await publish(['a']);
    await publish(['b']);
    await store.updateQueuePolicy('a', { paused: true }, T0);
    const w = await store.registerWorker('w', ['a', 'b'], T0);
    const got = await claim(w.workerId, 5);
    assert.deepEqual(got.map((t) => t.queue), ['b']);
    await store.updateQueuePolicy('a', { paused: false }, T0);
    assert.deepEqual((await claim(w.workerId, 5)).map((t) => t.queue), ['a']);
  });

  test('singularlyRun: a task waits while one with its key is started, and runs after', async () => {
    const first = await publish(['a'], { singularlyRun: true, uniqueKey: 'k' });
    const second = await publish(['a'], { singularlyRun: true, uniqueKey: 'k' });
    const other = await publish(['a'], { singularlyRun: true, uniqueKey: 'other' });
    const w = await store.registerWorker('w', ['a'], T0);
    const got = await claim(w.workerId, 10);
    assert.deepEqual(got.map((t) => t.eventId).sort(), [first.eventId, other.eventId].sort());
    await store.completeTasks(w.workerId, [{ taskId: got.find((t) => t.eventId === first.eventId)!.taskId }], T0);
    assert.deepEqual((await claim(w.workerId, 10)).map((t) => t.eventId), [second.eventId]);
  });

  test('concurrency caps tasks started at once in a queue across workers', async () => {
    for (let i = 0; i < 5; i++) await publish(['a']);
    await store.updateQueuePolicy('a', { concurrency: 2 }, T0);
    const w1 = await store.registerWorker('w1', ['a'], T0);
    const w2 = await store.registerWorker('w2', ['a'], T0);
    assert.equal((await claim(w1.workerId, 5)).length, 2);
    assert.equal((await claim(w2.workerId, 5)).length, 0);
  });

  test('rateLimit caps tasks started per second', async () => {
    for (let i = 0; i < 10; i++) await publish(['a']);
    await store.updateQueuePolicy('a', { rateLimit: 3 }, T0);
    const w = await store.registerWorker('w', ['a'], T0);
    assert.equal((await claim(w.workerId, 10, T0)).length, 3);
    assert.equal((await claim(w.workerId, 10, T0 + 100)).length, 0);
    assert.equal((await claim(w.workerId, 10, T0 + 1000)).length, 3);
  });
}
