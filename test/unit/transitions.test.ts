// The task rules of lifecycle/: decided once here, applied by both stores.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { capFailReason, FAIL_REASON_MAX_CHARS, planFail, planLeaseExpiry, planWorkerRemoval, reportRefusal, targetOnReturn } from '../../src/lifecycle/transitions.js';
import { isPushed, pushTarget, taskHeldBy, type TaskWaitState } from '../../src/lifecycle/limits.js';
import { pushLeaseMarginMs, pushNeedsFreshLease } from '../../src/lifecycle/lease.js';

const POLICY = { maxAttempts: 3, backoffSeconds: 10, maxBackoffSeconds: 3600 };
const T = 1_000_000;

describe('transitions', () => {
  it('a fail with attempts left waits for its backoff; the draw sets the jitter', () => {
    const low = planFail({ attempts: 1, maxAttempts: null, runAtMs: 0 }, POLICY, { failReason: 'x', reEnqueued: false, draw: 0, jitter: 0.2 }, T);
    const high = planFail({ attempts: 2, maxAttempts: null, runAtMs: 0 }, POLICY, { failReason: 'x', reEnqueued: false, draw: 1, jitter: 0.2 }, T);
    assert.deepEqual([low.to, low.runAtMs, low.finishedAtMs, low.keepWorker], ['scheduled', T + 8_000, null, false]);
    assert.deepEqual([high.to, high.retryAtMs], ['scheduled', T + 24_000]);
  });

  it('a fail that spends the last attempt goes to the failed queue; the event override wins over the policy', () => {
    const spent = planFail({ attempts: 3, maxAttempts: null, runAtMs: 5 }, POLICY, { reEnqueued: false, draw: 0.5, jitter: 0 }, T);
    assert.deepEqual(spent, { to: 'failed', runAtMs: 5, finishedAtMs: T, keepWorker: true, reason: 'no reason given' });
    assert.equal(planFail({ attempts: 1, maxAttempts: 1, runAtMs: 5 }, POLICY, { reEnqueued: false, draw: 0.5, jitter: 0 }, T).to, 'failed');
    assert.equal(planFail({ attempts: 3, maxAttempts: 9, runAtMs: 5 }, POLICY, { reEnqueued: false, draw: 0.5, jitter: 0 }, T).to, 'scheduled');
  });

  it('a push ends a margin before its lease: a second, or a quarter of a short lease; it renews a lease the claim used up', () => {
    assert.deepEqual([pushLeaseMarginMs(300_000), pushLeaseMarginMs(4000), pushLeaseMarginMs(2000), pushLeaseMarginMs(1000)], [1000, 1000, 500, 250]);
    // Window of a fresh 2 s lease: 1.5 s. Renew when less than half of it, 750 ms, is left.
    assert.equal(pushNeedsFreshLease(1490, 2000), false, 'just claimed');
    assert.equal(pushNeedsFreshLease(751, 2000), false);
    assert.equal(pushNeedsFreshLease(749, 2000), true, 'the claim took most of the lease');
    assert.equal(pushNeedsFreshLease(-5, 2000), true, 'the lease ran out before the push began');
    assert.equal(pushNeedsFreshLease(Infinity, 2000), false, 'no lease at all');
    assert.equal(pushNeedsFreshLease(298_000, 300_000), false);
  });

  it('a fail with reEnqueue is closed as cancelled, whatever its attempts', () => {
    assert.equal(planFail({ attempts: 1, maxAttempts: null, runAtMs: 5 }, POLICY, { reEnqueued: true, draw: 0.5, jitter: 0 }, T).to, 'cancelled');
  });

  it('a fail that says how it goes on wins over the policy: released after exactly its delay, or buried', () => {
    const spent = { attempts: 3, maxAttempts: null, runAtMs: 5 };
    const released = planFail(spent, POLICY, { reEnqueued: false, draw: 0.9, jitter: 0.2, retry: { inMs: 2500 } }, T);
    assert.deepEqual([released.to, released.runAtMs, released.finishedAtMs, released.keepWorker], ['scheduled', T + 2500, null, false]);
    assert.equal(planFail(spent, POLICY, { reEnqueued: false, draw: 0.5, jitter: 0, retry: { inMs: 0 } }, T).to, 'ready');
    const buried = planFail({ attempts: 1, maxAttempts: null, runAtMs: 5 }, POLICY, { reEnqueued: false, draw: 0.5, jitter: 0, retry: 'never' }, T);
    assert.deepEqual([buried.to, buried.finishedAtMs], ['failed', T]);
  });

  it('fail reasons are capped', () => {
    assert.equal(capFailReason('x'.repeat(FAIL_REASON_MAX_CHARS + 50)).length, FAIL_REASON_MAX_CHARS + 1);
    assert.equal(capFailReason('short'), 'short');
  });

  it('an expired lease returns the task, or fails it when its attempts are spent', () => {
    assert.deepEqual(planLeaseExpiry({ attempts: 1, maxAttempts: null }, 3, T), { to: 'ready', reason: 'lease expired (attempt 1)', finishedAtMs: null });
    assert.deepEqual(planLeaseExpiry({ attempts: 3, maxAttempts: null }, 3, T), { to: 'failed', reason: 'lease expired (attempt 3)', finishedAtMs: T });
  });

  it('a copy for one worker stays its own only while that worker serves the queue', () => {
    assert.deepEqual(targetOnReturn(null, 'a', null), { targetWorkerId: null, released: false });
    assert.deepEqual(targetOnReturn('w', 'a', ['a', 'b']), { targetWorkerId: 'w', released: false });
    assert.deepEqual(targetOnReturn('w', 'c', ['a', 'b']), { targetWorkerId: null, released: true });
    assert.deepEqual(targetOnReturn('w', 'a', null), { targetWorkerId: null, released: true });
  });

  it('removing a worker cancels the copies made for it and returns the other tasks it started', () => {
    assert.equal(planWorkerRemoval({ state: 'ready', targetWorkerId: 'w' }, 'w'), 'cancel');
    assert.equal(planWorkerRemoval({ state: 'started', targetWorkerId: 'w' }, 'w'), 'cancel');
    assert.equal(planWorkerRemoval({ state: 'started', targetWorkerId: null }, 'w'), 'return');
    assert.equal(planWorkerRemoval({ state: 'failed', targetWorkerId: 'w' }, 'w'), 'keep');
  });
});

describe('report guard', () => {
  it('only the worker that has a task started may report it; a finished task takes no report', () => {
    assert.equal(reportRefusal({ state: 'started', workerId: 'w' }, 'w'), null);
    assert.equal(reportRefusal({ state: 'started', workerId: 'other' }, 'w'), 'task_not_owned');
    assert.equal(reportRefusal({ state: 'ready', workerId: null }, 'w'), 'task_not_owned');
    for (const state of ['succeeded', 'failed', 'cancelled'] as const) assert.equal(reportRefusal({ state, workerId: 'w' }, 'w'), 'task_finished');
  });
});

describe('why a task waits', () => {
  const base = (): TaskWaitState => ({
    task: { state: 'ready', runAtMs: T, queue: 'a', targetWorkerId: null, singularlyRun: false },
    queue: { policy: { paused: false, concurrency: null, rateLimit: null }, started: 0, rate: null, pushed: false, workerIds: ['w'] },
    keyStarted: false,
  });
  const held = (change: (s: TaskWaitState) => void) => { const s = base(); change(s); return taskHeldBy(s, T); };

  it('says nothing holds a ready task that the next worker will get', () => assert.equal(held(() => {}), null));
  it('names each reason, the first that applies', () => {
    assert.equal(held((s) => { s.task.state = 'scheduled'; s.task.runAtMs = T + 1; }), 'runAt');
    assert.equal(held((s) => { s.task.state = 'scheduled'; }), null, 'due now: only waiting to be promoted');
    assert.equal(held((s) => { s.queue.policy.paused = true; s.task.targetWorkerId = 'gone'; }), 'paused');
    assert.equal(held((s) => { s.queue.policy.concurrency = 1; s.queue.started = 1; }), 'concurrency');
    assert.equal(held((s) => { s.queue.policy.rateLimit = 1; s.queue.rate = { tokens: 0, atMs: T }; }), 'rateLimit');
    assert.equal(held((s) => { s.task.targetWorkerId = 'w'; }), 'worker');
    assert.equal(held((s) => { s.task.targetWorkerId = 'gone'; }), 'workerGone');
    assert.equal(held((s) => { s.task.singularlyRun = true; s.keyStarted = true; }), 'singularlyRun');
    assert.equal(held((s) => { s.queue.workerIds = []; }), 'noWorker');
    assert.equal(held((s) => { s.queue.workerIds = []; s.queue.pushed = true; }), null, 'a push queue needs no worker');
  });
  it('says nothing of a task that is not waiting', () => assert.equal(held((s) => { s.task.state = 'started'; }), null));
  it('a queue is pushed with a pushUrl or when its tasks may bring their own; the task\'s own wins only when allowed', () => {
    const q = (pushUrl: string | null, allowTaskPushUrl: boolean) => ({ pushUrl, allowTaskPushUrl });
    assert.deepEqual([isPushed(q(null, false)), isPushed(q('https://q/', false)), isPushed(q(null, true))], [false, true, true]);
    assert.equal(pushTarget(q('https://q/', true), { pushUrl: 'https://t/' }), 'https://t/');
    assert.equal(pushTarget(q('https://q/', false), { pushUrl: 'https://t/' }), 'https://q/', 'allowed no more: the queue\'s');
    assert.equal(pushTarget(q(null, true), { pushUrl: null }), null, 'nowhere');
  });
});
