// Store contract, publishing: one copy per routed queue, idempotency, dedupe, scope all.
import assert from 'node:assert/strict';
import { T0, ROUTE, RULES, ev, type Kit } from './harness.js';

export function publishContract({ store, test, publish, claim }: Kit) {
  test('an event is stored as one ready copy per routed queue, with its route', async () => {
    const p = await publish(['a', 'b']);
    assert.deepEqual(p.tasks.map((t) => [t.queue, t.state]), [['a', 'ready'], ['b', 'ready']]);
    const t = await store.getTask(p.tasks[0]!.taskId);
    assert.equal(t!.state, 'ready');
    assert.deepEqual(t!.route, ROUTE);
    assert.equal(t!.history[0]!.what, 'created');
  });

  test('an event that creates several queues at once makes every one of them known', async () => {
    await publish(['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual((await store.queueSummaries()).map((q) => q.name).sort(), ['a', 'b', 'c', 'd', 'e']);
  });

  test('an event due later is scheduled, not ready, and is not claimed before it is due', async () => {
    const p = await publish(['a'], { runAtMs: T0 + 10_000 });
    assert.equal(p.tasks[0]!.state, 'scheduled');
    const w = await store.registerWorker('w', ['a'], T0);
    assert.equal((await claim(w.workerId, 1, T0 + 9_999)).length, 0);
    assert.equal((await claim(w.workerId, 1, T0 + 10_000)).length, 1);
  });

  test('publishing a batch stores every event; all or none', async () => {
    const out = await store.publishEvents([ev(['a']), ev(['a']), ev(['b'])], T0);
    assert.equal(out.outcome === 'ok' && out.events.length, 3);
    const [s] = await store.queueSummaries('a');
    assert.equal(s!.counts.ready, 2);
  });

  test('a publish that fails halfway stores none of its events, and writes beside it still commit', async () => {
    // The second event cannot be serialized (a BigInt), so the write throws after the first event's copy is in.
    const broken = [ev(['a']), ev(['a'], { data: { n: 1n } as unknown as Record<string, unknown> })];
    const [before, failed, after] = await Promise.allSettled([
      store.publishEvents([ev(['a'])], T0), store.publishEvents(broken, T0), store.publishEvents([ev(['b'])], T0)]);
    assert.equal(before.status, 'fulfilled');
    assert.equal(failed.status, 'rejected');
    assert.equal(after.status, 'fulfilled');
    const counts = Object.fromEntries((await store.queueSummaries()).map((q) => [q.name, q.counts.ready]));
    assert.deepEqual(counts, { a: 1, b: 1 });
    assert.equal(await store.cancelWaitingTasks({ eventId: broken[0]!.eventId }, T0), null, 'the first event of the failed batch is not stored');
  });

  test('idempotency: the same key and body replays the first answer and stores nothing new', async () => {
    const key = (k: string, bodyHash = 'h1', expiresAtMs = T0 + 1000) => ({ idempotency: { key: k, bodyHash, expiresAtMs } });
    const first = await publish(['a'], key('k1'));
    assert.deepEqual([first.status, first.replayed], ['enqueued', false]);
    const again = await publish(['a'], key('k1'));
    assert.deepEqual([again.replayed, again.eventId, again.tasks], [true, first.eventId, first.tasks]);
    // The same key of another publisher, or another key, is a new event.
    assert.equal((await publish(['a'], { publisher: 'other', ...key('k1') })).replayed, false);
    assert.equal((await publish(['a'], key('k2'))).replayed, false);
    // Twice in one batch: stored once, the second answer replays the first.
    const batch = await store.publishEvents([ev(['a'], key('k3')), ev(['a'], key('k3'))], T0);
    assert.ok(batch.outcome === 'ok');
    assert.deepEqual([batch.events[1]!.replayed, batch.events[1]!.eventId], [true, batch.events[0]!.eventId]);
    // A discarded event keeps its key too, and replays as discarded.
    assert.deepEqual([(await publish([], key('k4'))).status, (await publish([], key('k4'))).replayed], ['discarded', true]);
    assert.equal((await store.queueSummaries('a'))[0]!.counts.ready, 4);
    // Expired: the key is free again.
    assert.equal((await publish(['a'], key('k1'), T0 + 1000)).replayed, false);
  });

  test('idempotency: the same key with another body is a conflict, and nothing of its batch is stored', async () => {
    await publish(['a'], { idempotency: { key: 'k', bodyHash: 'h1', expiresAtMs: T0 + 1000 } });
    const r = await store.publishEvents([ev(['a']), ev(['a'], { idempotency: { key: 'k', bodyHash: 'h2', expiresAtMs: T0 + 1000 } })], T0);
    assert.deepEqual(r, { outcome: 'idempotency_conflict', index: 1, key: 'k' });
    assert.equal((await store.queueSummaries('a'))[0]!.counts.ready, 1);
  });

  test('singularlyEnqueue skips a queue holding a waiting task with the same key, and not one whose task is started', async () => {
    await publish(['a', 'b'], { singularlyEnqueue: true, uniqueKey: 'k' });
    const w = await store.registerWorker('w', ['b'], T0);
    await claim(w.workerId); // b's copy is now started, a's still waiting
    const again = await publish(['a', 'b'], { singularlyEnqueue: true, uniqueKey: 'k' });
    assert.deepEqual(again.deduplicated, ['a']);
    assert.deepEqual(again.tasks.map((t) => t.queue), ['b']);
  });

  test('scope all makes one copy per worker of the queue, each claimable only by its worker', async () => {
    const w1 = await store.registerWorker('w1', ['a'], T0);
    const w2 = await store.registerWorker('w2', ['a'], T0);
    const p = await publish(['a'], { scope: 'all' });
    assert.equal(p.tasks.length, 2);
    const got1 = await claim(w1.workerId, 10);
    const got2 = await claim(w2.workerId, 10);
    assert.equal(got1.length, 1);
    assert.equal(got2.length, 1);
    assert.notEqual(got1[0]!.taskId, got2[0]!.taskId);
  });

  test('scope all with no worker keeps one copy that the first worker to ask receives', async () => {
    const p = await publish(['a'], { scope: 'all' });
    assert.equal(p.tasks.length, 1);
    assert.equal(p.tasks[0]!.targetWorkerId, null);
    const w = await store.registerWorker('w', ['a'], T0);
    assert.equal((await claim(w.workerId)).length, 1);
  });

  test('a traceparent is kept with every copy, handed out by a claim, through a retry and a reEnqueue copy', async () => {
    const trace = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await store.updateQueuePolicy('a', { backoffSeconds: 0 }, T0);
    const p = await publish(['a', 'b'], { traceparent: trace });
    assert.equal((await store.getTask(p.tasks[1]!.taskId))!.traceparent, trace);
    const w = await store.registerWorker('w', ['a'], T0);
    const [t] = await claim(w.workerId);
    assert.equal(t!.traceparent, trace);
    await store.failTasks(w.workerId, [{ taskId: t!.taskId, failReason: 'again', draw: 0 }], T0, RULES);
    const [again] = await claim(w.workerId, 1, T0 + 1000);
    assert.equal(again!.traceparent, trace, 'the retried attempt');
    const done = await store.completeTasks(w.workerId, [{ taskId: again!.taskId, reEnqueue: true }], T0 + 1000);
    const copy = done.outcome === 'ok' && done.reports[0]!.outcome === 'ok' ? done.reports[0]!.reEnqueuedTaskId : undefined;
    assert.equal((await store.getTask(copy!))!.traceparent, trace, 'the reEnqueue copy');
    assert.equal((await store.getTask((await publish(['a'])).tasks[0]!.taskId))!.traceparent ?? null, null, 'none given, none kept');
  });

  test('a task\'s own pushUrl is kept with each copy and handed out by a claim; allowTaskPushUrl is a stored policy', async () => {
    assert.equal((await store.getQueuePolicy('a'))?.allowTaskPushUrl ?? false, false, 'off by default');
    assert.equal((await store.updateQueuePolicy('a', { allowTaskPushUrl: true }, T0)).policy.allowTaskPushUrl, true);
    assert.equal((await store.getQueuePolicy('a'))!.allowTaskPushUrl, true);
    const p = await publish(['a'], { pushUrl: 'https://hooks.example.com/t?token=x' });
    assert.equal((await store.getTask(p.tasks[0]!.taskId))!.pushUrl, 'https://hooks.example.com/t?token=x');
    const w = await store.registerWorker('w', ['a'], T0);
    assert.equal((await claim(w.workerId))[0]!.pushUrl, 'https://hooks.example.com/t?token=x');
    assert.equal((await store.getTask((await publish(['a'])).tasks[0]!.taskId))!.pushUrl ?? null, null);
  });
}
