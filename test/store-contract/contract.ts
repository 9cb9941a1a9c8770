// The Store contract, written once and run against every driver (sqlite.test.ts, couchbase.test.ts).
// Every time-dependent call passes nowMs; fixtures hold a spread of states and the assertions check
// that the untouched ones stayed untouched.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ScheduleDefinition, NewEvent, Store, TransitionRules, RouteInfo } from '../../src/store/store.js';

const T0 = 1_800_000_000_000;
const RULES: TransitionRules = {
  defaultLeaseSeconds: 60,
  backoffJitter: 0,
};
const ROUTE: RouteInfo = { revision: 1, interest: { field: 'type', keyPattern: 'type', valuePattern: 'x' } };

function ev(queues: string[], over: Partial<NewEvent> = {}): NewEvent {
  return {
    eventId: randomUUID(), publisher: 'contract', data: { n: Math.random() }, runAtMs: T0, priority: 0, scope: 'any',
    singularlyEnqueue: false, singularlyRun: false, uniqueKey: null, maxAttempts: null, idempotency: null,
    routes: queues.map((queue) => ({ queue, route: ROUTE })), ...over,
  };
}

export function storeContract(name: string, open: () => Promise<Store | undefined>, skipReason = `${name} is not configured`) {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let skipped = false;

    beforeEach(async () => {
      const s = await open();
      if (!s) { skipped = true; return; }
      store = s;
    });
    afterEach(async () => { if (!skipped) await store.close(); });

    const test = (title: string, fn: () => Promise<void>) => it(title, async (t) => {
      if (skipped) { t.skip(`skipped: ${skipReason}`); return; }
      await fn();
    });

    async function publish(queues: string[], over: Partial<NewEvent> = {}, nowMs = T0) {
      const r = await store.publishEvents([ev(queues, over)], nowMs);
      assert.equal(r.outcome, 'ok');
      return r.outcome === 'ok' ? r.events[0]! : assert.fail('not published');
    }
    async function claim(workerId: string, count = 1, nowMs = T0) {
      const r = await store.claimTasks(workerId, count, nowMs, RULES);
      assert.equal(r.outcome, 'ok');
      return r.outcome === 'ok' ? r.tasks : [];
    }

    // ---- publishing ----
    test('an event is stored as one ready copy per routed queue, with its route', async () => {
      const p = await publish(['a', 'b']);
      assert.deepEqual(p.tasks.map((t) => [t.queue, t.state]), [['a', 'ready'], ['b', 'ready']]);
      const t = await store.getTask(p.tasks[0]!.taskId);
      assert.equal(t!.state, 'ready');
      assert.deepEqual(t!.route, ROUTE);
      assert.equal(t!.history[0]!.what, 'created');
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

    // ---- claiming ----
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

    // ---- reporting ----
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

    // ---- leases and workers ----
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
      assert.equal((await store.removeWorkers({ queue: 'a' }, T0)).workers, 2);
      assert.deepEqual((await store.listWorkers()).map((w) => w.workerId), [keep.workerId]);
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

    // ---- cancel ----
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

    // ---- failed queue ----
    async function failInto(queue: string, reason: string, data: Record<string, unknown>) {
      await store.updateQueuePolicy(queue, { maxAttempts: 1 }, T0);
      await publish([queue], { data });
      const w = await store.registerWorker('f', [queue], T0);
      const [t] = await claim(w.workerId);
      await store.failTasks(w.workerId, [{ taskId: t!.taskId, failReason: reason }], T0, RULES);
      await store.removeWorkers({ workerId: w.workerId }, T0);
      return t!.taskId;
    }

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
      const page = await store.listFailedTasks({}, 1, 1);
      assert.equal(page.tasks.length, 1);
      assert.equal(page.total, 3);
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

    // ---- interests and queues ----
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
      assert.equal(await store.removeInterests('a'), true);
      assert.ok((await store.interestsRevision()) > r3);
      assert.deepEqual((await store.loadInterests()).queues.map((q) => q.queue), ['b']);
      assert.ok(await store.getQueuePolicy('a'));
      assert.equal(await store.removeInterests('never'), false);
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

    test('queue policy: defaults, partial updates, whole policy back', async () => {
      assert.equal(await store.getQueuePolicy('a'), null);
      const first = await store.updateQueuePolicy('a', { maxAttempts: 3, leaseSeconds: 5 }, T0);
      assert.equal(first.created, true);
      const p = first.policy;
      assert.deepEqual(p, { paused: false, maxAttempts: 3, backoffSeconds: 10, maxBackoffSeconds: 3600, leaseSeconds: 5, rateLimit: null, concurrency: null,
        pushUrl: null, pushTimeoutSeconds: 30, pushSecret: null });
      const second = await store.updateQueuePolicy('a', { paused: true, leaseSeconds: null, pushUrl: 'http://127.0.0.1:9/hook', pushTimeoutSeconds: 2.5, pushSecret: 's3cret' }, T0);
      assert.equal(second.created, false);
      const q = second.policy;
      assert.equal(q.paused, true);
      assert.equal(q.leaseSeconds, null);
      assert.equal(q.maxAttempts, 3);
      assert.deepEqual([q.pushUrl, q.pushTimeoutSeconds, q.pushSecret], ['http://127.0.0.1:9/hook', 2.5, 's3cret']);
      assert.deepEqual(await store.getQueuePolicy('a'), q);
    });

    // ---- status and sweeps ----
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

    // ---- schedules ----
    const def = (over: Partial<ScheduleDefinition> = {}): ScheduleDefinition =>
      ({ name: 'nightly', cron: '0 3 * * *', timezone: 'Europe/Paris', event: { publisher: 'cron', data: { job: 'report' } }, paused: false, ...over });

    test('schedules: put creates with no backlog, put again replaces, list and get, delete', async () => {
      const created = await store.putSchedule(def(), T0);
      assert.equal(created.created, true);
      const s = created.schedule;
      assert.deepEqual(s, { ...def(), createdAtMs: T0, updatedAtMs: T0, lastTickMs: T0, lastFiredAtMs: null, lastEventId: null, lastMissedTicks: 0 });
      const replaced = await store.putSchedule(def({ cron: '*/5 * * * *', timezone: null }), T0 + 10);
      assert.equal(replaced.created, false);
      const again = replaced.schedule;
      assert.deepEqual([again.cron, again.timezone, again.createdAtMs, again.updatedAtMs, again.lastTickMs], ['*/5 * * * *', null, T0, T0 + 10, T0 + 10]);
      await store.putSchedule(def({ name: 'another' }), T0);
      assert.deepEqual((await store.listSchedules()).map((x) => x.name), ['another', 'nightly']);
      assert.deepEqual(await store.getSchedule('nightly'), again);
      assert.equal(await store.deleteSchedule('nightly'), true);
      assert.equal(await store.deleteSchedule('nightly'), false);
      assert.equal(await store.getSchedule('nightly'), null);
    });

    test('schedules: a firing is recorded once, by whoever still sees the tick it started from', async () => {
      await store.putSchedule(def(), T0);
      const firing = { lastTickMs: T0 + 60_000, lastFiredAtMs: T0 + 60_100, lastEventId: 'e1', lastMissedTicks: 0 };
      assert.equal(await store.recordScheduleFiring('nightly', T0, firing), true);
      assert.equal(await store.recordScheduleFiring('nightly', T0, { ...firing, lastEventId: 'e2' }), false, 'the second node loses');
      assert.equal((await store.getSchedule('nightly'))!.lastEventId, 'e1');
      assert.equal(await store.recordScheduleFiring('never', T0, firing), false);
    });

    test('schedules: resuming skips the ticks of the pause; pausing keeps the last tick', async () => {
      await store.putSchedule(def(), T0);
      const paused = await store.setSchedulePaused('nightly', true, T0 + 1000);
      assert.deepEqual([paused!.paused, paused!.lastTickMs], [true, T0]);
      const resumed = await store.setSchedulePaused('nightly', false, T0 + 90_000);
      assert.deepEqual([resumed!.paused, resumed!.lastTickMs], [false, T0 + 90_000]);
      assert.equal(await store.setSchedulePaused('never', true, T0), null);
    });

    test('an event made by the broker keeps its origin in each copy\'s history', async () => {
      const e = await publish(['a'], { origin: { schedule: 'nightly', tickAt: 1 } });
      const t = await store.getTask(e.tasks[0]!.taskId);
      assert.deepEqual(t!.history[0]!.origin, { schedule: 'nightly', tickAt: 1 });
    });

    test('counters are kept in the store', async () => {
      await store.addToCounter('x', 2);
      await store.addToCounter('x', 3);
      assert.equal(await store.counter('x'), 5);
      assert.equal(await store.counter('never'), 0);
    });
  });
}
