// The SQLite driver changes many tasks at once (a purge or queue delete of a backlog, a retry or
// delete of the failed queue) a part per commit: one commit for all of them held every other request
// until it ended (500,000 waiting purged: 2.6 s; 100,000 failed retried: 2.1 s).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { systemClock } from '../../src/clock.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { tempDir } from '../helpers/server.js';
import { until } from '../helpers/until.js';
import { T0, RULES, ev } from './harness.js';

const WAITING = 5500;

async function storeWithBacklog(queue: string) {
  const store = await openSqliteStore(path.join(tempDir(), 'parts.db'), { sync: 'full', clock: systemClock });
  await store.setInterests(queue, '*', T0);
  for (let i = 0; i < WAITING; i += 500) {
    assert.equal((await store.publishEvents(Array.from({ length: 500 }, (_, k) => ev([queue], k % 5 ? {} : { runAtMs: T0 + 60_000 })), T0)).outcome, 'ok');
  }
  return store;
}

/** A backlog that failed: every task of it in the failed queue. */
async function storeWithFailed(queue: string) {
  const store = await storeWithBacklog(queue);
  await store.updateQueuePolicy(queue, { maxAttempts: 1 }, T0);
  const { workerId } = await store.registerWorker('f', [queue], T0);
  for (let left = WAITING; left > 0;) {
    const claimed = await store.claimTasks(workerId, 1000, T0 + 120_000, RULES);
    assert.equal(claimed.outcome, 'ok');
    const tasks = claimed.outcome === 'ok' ? claimed.tasks : [];
    assert.ok(tasks.length > 0, `${left} left to fail`);
    await store.failTasks(workerId, tasks.map((t) => ({ taskId: t.taskId, failReason: 'down' })), T0 + 120_000, RULES);
    left -= tasks.length;
  }
  await store.removeWorkers({ workerId }, T0 + 120_000);
  return store;
}

/** Publishes one task into queue after another while `erasing` runs: how many commit before it ends. */
async function publishWhile(store: Awaited<ReturnType<typeof storeWithBacklog>>, queue: string, erasing: Promise<unknown>) {
  let done = false;
  void erasing.then(() => { done = true; }, () => { done = true; });
  let before = 0; let published = 0;
  while (!done) {
    assert.equal((await store.publishEvents([ev([queue])], T0)).outcome, 'ok');
    published++;
    if (!done) before++;
  }
  return { before, published };
}

describe('sqlite: erasing a backlog', () => {
  it('a purge commits in parts: writes queued meanwhile commit between them, and tasks published meanwhile stay', async () => {
    const store = await storeWithBacklog('a');
    try {
      const purging = store.purgeWaitingTasks('a');
      const { before, published } = await publishWhile(store, 'a', purging);
      assert.equal(await purging, WAITING, 'every task that waited when the purge began');
      assert.ok(before >= 3, `${before} publishes committed while the purge ran`);
      const [a] = await store.queueSummaries('a');
      assert.deepEqual([a!.counts.ready, a!.counts.scheduled], [published, 0], 'the tasks published meanwhile wait still');
    } finally { await store.close(); }
  });

  it('a task published once the purge has erased a part stays, though nothing newer than the backlog was in the file', async () => {
    // SQLite gives a new row the largest seq so far plus one: had the newest tasks gone first, this
    // task would have taken the seq of one of them, and a later part would have erased it.
    const store = await storeWithBacklog('a');
    try {
      const purging = store.purgeWaitingTasks('a');
      const waiting = async () => { const [a] = await store.queueSummaries('a'); return a!.counts.ready + a!.counts.scheduled; };
      await until('the purge part way', async () => { const n = await waiting(); return n > 0 && n < WAITING; }, 15_000, 0);
      const late = await store.publishEvents([ev(['a'])], T0);
      assert.equal(late.outcome, 'ok');
      assert.equal(await purging, WAITING);
      assert.equal(await waiting(), 1, 'the task published meanwhile waits still');
    } finally { await store.close(); }
  });

  it('a queue delete does too, and undeclares the queue in its last part', async () => {
    const store = await storeWithBacklog('d');
    try {
      const deleting = store.deleteQueue('d');
      const { before } = await publishWhile(store, 'x', deleting);
      assert.deepEqual(await deleting, { waitingTasksDeleted: WAITING });
      assert.ok(before >= 3, `${before} publishes committed while the delete ran`);
      assert.deepEqual((await store.loadInterests()).queues.map((q) => q.queue), []);
      const [d] = await store.queueSummaries('d');
      assert.equal(d?.declared ?? false, false);
      assert.deepEqual([d?.counts.ready ?? 0, d?.counts.scheduled ?? 0], [0, 0]);
    } finally { await store.close(); }
  });

  it('retrying the whole failed queue does too: each failed task once, and writes queued meanwhile commit between the parts', async () => {
    const store = await storeWithFailed('f');
    try {
      const retrying = store.retryFailedTasks({ all: true, filter: { queue: 'f' } }, {}, T0 + 180_000);
      const { before } = await publishWhile(store, 'x', retrying);
      assert.equal(await retrying, WAITING);
      assert.ok(before >= 3, `${before} publishes committed while the retry ran`);
      const [f] = await store.queueSummaries('f');
      assert.deepEqual([f!.counts.failed, f!.counts.ready], [0, WAITING]);
    } finally { await store.close(); }
  });

  it('retrying all while the retried tasks fail again ends, having retried each task that had failed when it began once', async () => {
    const store = await storeWithFailed('f');
    try {
      const { workerId } = await store.registerWorker('again', ['f'], T0 + 180_000);
      const retrying = store.retryFailedTasks({ all: true, filter: { queue: 'f' } }, {}, T0 + 180_000);
      let done = false;
      void retrying.finally(() => { done = true; });
      let failedAgain = 0;
      while (!done) {
        const claimed = await store.claimTasks(workerId, 100, T0 + 200_000, RULES);
        const tasks = claimed.outcome === 'ok' ? claimed.tasks : [];
        if (tasks.length) await store.failTasks(workerId, tasks.map((t) => ({ taskId: t.taskId, failReason: 'again' })), T0 + 200_000, RULES);
        failedAgain += tasks.length;
      }
      assert.equal(await retrying, WAITING);
      assert.ok(failedAgain > 0, 'tasks failed again while the retry ran');
      const [f] = await store.queueSummaries('f');
      assert.equal(f!.counts.failed, failedAgain, 'those that failed again wait in the failed queue');
    } finally { await store.close(); }
  });

  it('deleting the whole failed queue does too', async () => {
    const store = await storeWithFailed('f');
    try {
      const deleting = store.deleteFailedTasks({ all: true, filter: {} });
      const { before } = await publishWhile(store, 'x', deleting);
      assert.equal(await deleting, WAITING);
      assert.ok(before >= 3, `${before} publishes committed while the delete ran`);
      assert.deepEqual(await store.listFailedTasks({}, 10, 0), { total: 0, tasks: [] });
    } finally { await store.close(); }
  });
});
