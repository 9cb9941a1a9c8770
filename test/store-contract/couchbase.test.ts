// The Store contract against Couchbase: runs when COUCHBASE_CONNSTR (and credentials) are set, each
// test under a fresh key prefix in the same bucket, so tests never see each other's documents.
import { systemClock } from '../../src/clock.js';
import { after, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import { connect, DocumentNotFoundError, type Cluster } from 'couchbase';
import { storeContract } from './contract.js';
import { couchbaseTestSettings } from '../helpers/couchbase.js';
import { openCouchbaseStore } from '../../src/store/couchbase/open.js';
import type { Store } from '../../src/store/store.js';
import { ev, RULES, T0 } from './harness.js';
import { FAILED_SEGMENT_MAX } from '../../src/store/couchbase/lane.js';
import assert from 'node:assert/strict';
import { until } from '../helpers/until.js';

const settings = couchbaseTestSettings();
if (!settings) {
  it('Store contract: couchbase', (t) => { t.skip('skipped: COUCHBASE_CONNSTR not set'); });
  console.log('# Store contract: couchbase skipped: COUCHBASE_CONNSTR not set');
} else {
  let prefix = '';
  // A connection of the test's own reads the documents (docs/couchbase.md), not what the store answers.
  let cluster: Promise<Cluster> | null = null;
  after(async () => { if (cluster) await (await cluster).close(); });
  const collection = async () => {
    cluster ??= connect(settings.connStr, { username: settings.username, password: settings.password });
    return (await cluster).bucket(settings.bucket).defaultCollection();
  };
  /** A store under a key prefix of its own, closed after work. */
  const withStore = async (keyPrefix: string, work: (store: Store) => Promise<void>, over: { keepFinishedSeconds?: number; queueShards?: number } = {}) => {
    const store = await openCouchbaseStore({ ...settings, keyPrefix, ...over }, systemClock);
    try { await work(store); } finally { await store.close(); }
  };
  /** The layout of one document a queue, as the tests below that read a queue's document expect it. */
  const ONE_SHARD = { queueShards: 1 };
  const read = async (key: string): Promise<Record<string, unknown> | null> => {
    const coll = await collection();
    try { return (await coll.get(key)).content as Record<string, unknown>; } catch (e) {
      if (e instanceof DocumentNotFoundError) return null;
      throw e;
    }
  };
  // Once as one document a queue (the default), once with its tasks in shards (couchbase-shards.test.ts):
  // the store's one node then publishes to shard 1, and tasks with a uniqueKey go to the head.
  for (const queueShards of [1, 4]) {
    storeContract(queueShards === 1 ? 'couchbase' : `couchbase, ${queueShards} shards a queue`,
      async () => openCouchbaseStore({ ...settings, keyPrefix: (prefix = `test-${randomUUID()}`), queueShards }, systemClock),
      async (_store, eventId) => {
        const event = await read(`${prefix}:e:${eventId}`);
        const tasks = (await Promise.all(((event?.taskIds as string[] | undefined) ?? []).map((id) => read(`${prefix}:t:${id}`)))).filter((t) => t !== null);
        const own = tasks.filter((t) => !t.sharedPayload).length;
        return { payloads: own + (event?.data ? 1 : 0), copies: tasks.length, records: tasks.length + (event ? 1 : 0) };
      });
  }

  // Document expiry is the Couchbase layout's own (docs/couchbase.md): no other store has it.
  it('couchbase: an idempotency record expires by itself a minute after its key stops counting', async () => {
    const keyPrefix = `test-${randomUUID()}`;
    await withStore(keyPrefix, async (store) => {
      const now = Date.now();
      const r = await store.publishEvents([ev(['a'], { idempotency: { key: 'k', bodyHash: 'h', expiresAtMs: now + 3_600_000 } })], now);
      assert.equal(r.outcome, 'ok');
      const after = Date.now(); // the expiry is set after the commit, relative to then: a slow mock moves it
      const coll = await collection();
      const { createHash } = await import('node:crypto');
      const key = `${keyPrefix}:i:${createHash('sha256').update('contract\u0000k').digest('hex')}`;
      const got = await coll.get(key, { withExpiry: true });
      const expiresAt = (got.expiryTime ?? 0) * 1000; // seconds since the epoch; 0 or none: never
      // Whole seconds: a second either side.
      assert.ok(expiresAt >= now + 3_659_000 && expiresAt <= after + 3_661_000,
        `expires at ${new Date(expiresAt).toISOString()}, want an hour and a minute after ${new Date(now).toISOString()} to ${new Date(after).toISOString()}`);
    });
  });

  // Pruning used to read and remove every old task in its transactions; now a task's document goes by
  // itself, and its minute says what pruning needs to count it out once it has.
  it('couchbase: a finished task expires by itself a minute after it stops being kept; pruning counts it out even once it has', async () => {
    const keyPrefix = `test-${randomUUID()}`;
    await withStore(keyPrefix, async (store) => {
      const now = Date.now();
      const [done, cancelled] = [ev(['a'], { runAtMs: now - 1000 }), ev(['a'], { runAtMs: now - 1000 })];
      await store.publishEvents([done, cancelled], now);
      const w = await store.registerWorker('w', ['a'], now);
      const claimed = await store.claimTasks(w.workerId, 1, now, RULES);
      assert.ok(claimed.outcome === 'ok' && claimed.tasks.length === 1, JSON.stringify(claimed));
      const doneId = claimed.tasks[0]!.taskId;
      await store.completeTasks(w.workerId, [{ taskId: doneId }], now);
      const cancelledId = (await store.listTasks('a', 'ready', 10, 0)).tasks[0]!.taskId;
      assert.deepEqual(await store.cancelWaitingTasks({ taskId: cancelledId }, now), { cancelled: 1 });
      const after = Date.now(); // each expiry is set after its commit, relative to then
      const coll = await collection();
      for (const id of [doneId, cancelledId]) {
        const expiresAt = ((await coll.get(`${keyPrefix}:t:${id}`, { withExpiry: true })).expiryTime ?? 0) * 1000;
        assert.ok(expiresAt >= now + 659_000 && expiresAt <= after + 661_000,
          `expires at ${new Date(expiresAt).toISOString()}, want 11 minutes after ${new Date(now).toISOString()} to ${new Date(after).toISOString()}`);
      }
      await coll.remove(`${keyPrefix}:t:${doneId}`); // as its expiry would, before any sweep
      assert.equal(await store.pruneFinishedTasks(now + 700_000, 600_000, 100), 2);
      const { counts } = (await store.queueSummaries('a'))[0]!;
      assert.deepEqual([counts.succeeded, counts.cancelled], [0, 0], 'both counted out');
      assert.deepEqual([await read(`${keyPrefix}:e:${done.eventId}`), await read(`${keyPrefix}:e:${cancelled.eventId}`)], [null, null], 'their events released');
      assert.equal(await read(`${keyPrefix}:t:${cancelledId}`), null, 'the other removed by the sweep');
    }, { keepFinishedSeconds: 600 });
  });

  it('couchbase: a finished minute from before it said what pruning needs is pruned by reading its tasks', async () => {
    const keyPrefix = `test-${randomUUID()}`;
    await withStore(keyPrefix, async (store) => {
      const now = Date.now();
      await store.publishEvents([ev(['a'], { runAtMs: now - 1000 }), ev(['a'], { runAtMs: now - 1000 })], now);
      const w = await store.registerWorker('w', ['a'], now);
      const finishOne = async () => {
        const c = await store.claimTasks(w.workerId, 1, now, RULES);
        assert.ok(c.outcome === 'ok' && c.tasks.length === 1, JSON.stringify(c));
        await store.completeTasks(w.workerId, [{ taskId: c.tasks[0]!.taskId }], now);
      };
      await finishOne();
      const coll = await collection();
      const [minute] = (await read(`${keyPrefix}:q:a`))!.finishedMinutes as number[];
      const key = `${keyPrefix}:d:a:${minute}`;
      const old = (await coll.get(key)).content as { ids: string[]; of?: unknown[] };
      assert.equal(old.of?.length, 1);
      await coll.replace(key, { ids: old.ids });
      await finishOne();
      assert.deepEqual(await read(key), { ids: [old.ids[0], (await store.listTasks('a', 'succeeded', 10, 0)).tasks[0]!.taskId] }, 'ids alone, still in step');
      assert.equal(await store.pruneFinishedTasks(now + 4_000_000, 3_600_000, 100), 2);
      assert.equal((await store.queueSummaries('a'))[0]!.counts.succeeded, 0);
      assert.equal(await read(key), null);
    }, ONE_SHARD);
  });

  // A claim owns (stages a write on) the queue documents it takes from: owning the empty ones too
  // made every claim of a many-queue worker collide with other nodes' publishes to any of them.
  it('couchbase: a claim that finds a queue empty leaves its document unwritten', async () => {
    const keyPrefix = `test-${randomUUID()}`;
    await withStore(keyPrefix, async (store) => {
      const w = await store.registerWorker('w', ['empty', 'busy'], Date.now());
      await store.publishEvents([ev(['busy'], { runAtMs: Date.now() - 1000 })], Date.now()); // (the kit's T0 is ahead of today)
      const coll = await collection();
      const cas = async (q: string) => String((await coll.get(`${keyPrefix}:q:${q}`)).cas);
      const [emptyBefore, busyBefore] = [await cas('empty'), await cas('busy')];
      const r = await store.claimTasks(w.workerId, 1, Date.now(), RULES);
      assert.equal(r.outcome === 'ok' && r.tasks.length, 1, JSON.stringify(r));
      assert.equal(await cas('empty'), emptyBefore, 'the empty queue, asked first, was only read');
      assert.notEqual(await cas('busy'), busyBefore, 'the queue it took from was written');
    }, ONE_SHARD);
  });

  it('couchbase: schedules kept in the one shared document of old move to their own documents on first use', async () => {
    const keyPrefix = `test-${randomUUID()}`;
    const coll = await collection();
    const rec = (name: string) => ({ name, cron: '0 3 * * *', timezone: null, event: { publisher: 'cron', data: {} }, paused: false,
      createdAtMs: 1000, updatedAtMs: 1000, lastTickMs: 5000, lastFiredAtMs: 4000, lastEventId: 'e1', lastMissedTicks: 0 });
    await coll.insert(`${keyPrefix}:schedules`, { schedules: { nightly: rec('nightly'), hourly: rec('hourly') } });
    await withStore(keyPrefix, async (store) => {
      assert.deepEqual(await store.listSchedules(), [rec('hourly'), rec('nightly')]);
      assert.deepEqual((await coll.get(`${keyPrefix}:s:nightly`)).content, rec('nightly'), 'a document of its own');
      await assert.rejects(coll.get(`${keyPrefix}:schedules`), DocumentNotFoundError, 'the shared document is gone');
      assert.equal(await store.recordScheduleFiring('hourly', 5000, { lastTickMs: 6000, lastFiredAtMs: 6100, lastEventId: 'e2', lastMissedTicks: 0 }), true);
      assert.equal((await coll.get(`${keyPrefix}:s:nightly`)).content.lastTickMs, 5000, 'a firing touches its own schedule only');
    });
  });

  // A queue's failed list is a lane of segment documents (docs/couchbase.md): one document had a
  // ceiling of some 300,000 failed tasks (its size limit) and was rewritten whole on every failure.
  it('couchbase: the failed tasks of a queue spread over bounded segments, paged newest first, each found by its time', async () => {
    const keyPrefix = `test-${randomUUID()}`;
    await withStore(keyPrefix, async (store) => {
      const here = await store.publishEvents([ev(['src'])], Date.now());
      assert.equal(here.outcome, 'ok');
      const template = (await store.getTask(here.outcome === 'ok' ? here.events[0]!.tasks[0]!.taskId : ''))!;
      const n = FAILED_SEGMENT_MAX + 100;
      const id = (i: number) => `f-${String(i).padStart(5, '0')}`;
      for (let i = 0; i < n; i += 200) {
        const batch = Array.from({ length: Math.min(200, n - i) }, (_, j) => ({ ...template, taskId: id(i + j), eventId: `ev-${i + j}`, queue: 'many',
          state: 'failed' as const, attempts: 1, finishedAtMs: 1_000_000 + i + j, failReason: 'boom', history: [] }));
        assert.deepEqual(await store.importTasks(batch, Date.now()), { imported: batch.length });
      }
      const coll = await collection();
      const chain = async () => ((await coll.get(`${keyPrefix}:q:many`)).content as { failed: { id: number; n: number }[] }).failed;
      const refs = await chain();
      assert.ok(refs.length >= 2, `${refs.length} segments`);
      assert.equal(refs.reduce((k, r) => k + r.n, 0), n);
      for (const r of refs) assert.ok(((await coll.get(`${keyPrefix}:l:many:${r.id}`)).content as { entries: unknown[] }).entries.length <= FAILED_SEGMENT_MAX);
      const page = await store.listFailedTasks({ queue: 'many' }, 3, 2);
      assert.deepEqual([page.total, ...page.tasks.map((t) => t.taskId)], [n, id(n - 3), id(n - 4), id(n - 5)]);
      assert.deepEqual((await store.listTasks('many', 'failed', 2, 0)).tasks.map((t) => t.taskId), [id(n - 1), id(n - 2)]);
      // One in the first segment and one in the last, retried and deleted by id.
      assert.equal(await store.retryFailedTasks({ taskIds: [id(3)] }, {}, Date.now()), 1);
      assert.equal(await store.deleteFailedTasks({ taskIds: [id(n - 1)] }), 1);
      assert.equal((await chain()).reduce((k, r) => k + r.n, 0), n - 2);
      assert.deepEqual((await store.listFailedTasks({ queue: 'many' }, 1, 0)).tasks.map((t) => t.taskId), [id(n - 2)]);
      assert.equal((await store.getTask(id(3)))!.state, 'ready');
      assert.equal((await store.queueSummaries('many'))[0]!.counts.failed, n - 2);
      assert.equal((await store.listExportedTaskIds('many')).length, n - 1);
    });
  });

  it('couchbase: a failed list kept in the one document of old is read as it is, and moves into segments on its first change', async () => {
    const keyPrefix = `test-${randomUUID()}`;
    await withStore(keyPrefix, async (store) => {
      const now = Date.now();
      await store.updateQueuePolicy('old', { maxAttempts: 1 }, now);
      await store.publishEvents([1, 2, 3].map(() => ev(['old'], { runAtMs: now - 1000 })), now);
      const w = await store.registerWorker('f', ['old'], now);
      const r = await store.claimTasks(w.workerId, 3, now, RULES);
      const ids = r.outcome === 'ok' ? r.tasks.map((t) => t.taskId) : [];
      assert.equal(ids.length, 3);
      for (const [i, taskId] of ids.entries()) await store.failTasks(w.workerId, [{ taskId, failReason: 'x' }], now + i, RULES);
      const list = async () => (await store.listFailedTasks({ queue: 'old' }, 10, 0)).tasks.map((t) => t.taskId);
      assert.deepEqual(await list(), [...ids].reverse());
      // Rewritten as the layout of old: one :f: document, no chain in the queue document.
      const coll = await collection();
      const qKey = `${keyPrefix}:q:old`;
      const q = (await coll.get(qKey)).content as { failed?: { id: number }[] };
      for (const ref of q.failed!) await coll.remove(`${keyPrefix}:l:old:${ref.id}`);
      delete q.failed;
      await coll.replace(qKey, q);
      await coll.insert(`${keyPrefix}:f:old`, { entries: ids.map((id, i) => [id, now + i]) });
      assert.deepEqual(await list(), [...ids].reverse(), 'read from the document of old');
      assert.equal(await store.retryFailedTasks({ taskIds: [ids[1]!] }, {}, now + 10), 1);
      await assert.rejects(coll.get(`${keyPrefix}:f:old`), DocumentNotFoundError, 'the document of old is gone');
      const moved = (await coll.get(qKey)).content as { failed: { n: number }[] };
      assert.equal(moved.failed.reduce((k, ref) => k + ref.n, 0), 2);
      assert.deepEqual(await list(), [ids[2], ids[0]]);
    }, ONE_SHARD);
  });

  // A node's transaction carries every request that arrived meanwhile (group commit); one that loses
  // races splits, so a publish is not held up by another node's hold on a queue it never touches.
  it('couchbase: a purge cut short by its node stopping leaves each task purged or waiting in its lane, never in between', async () => {
    const keyPrefix = `test-${randomUUID()}`;
    const ids: string[] = [];
    let purging: Promise<unknown> = Promise.resolve();
    await withStore(keyPrefix, async (store) => {
      await store.setInterests('a', '*', T0);
      for (let i = 0; i < 3; i++) {
        const r = await store.publishEvents(Array.from({ length: 150 }, () => ev(['a'])), T0);
        assert.equal(r.outcome, 'ok');
        if (r.outcome === 'ok') ids.push(...r.events.flatMap((e) => e.tasks.map((t) => t.taskId)));
      }
      purging = store.purgeWaitingTasks('a').catch(() => 'cut short');
      // The node stops as soon as the purge has taken tasks out of the counts (withStore closes it).
      await until('the purge under way', async () => ((await read(`${keyPrefix}:q:a`))?.counts as { ready: number }).ready < 450, 15_000, 1);
    }, ONE_SHARD);
    await purging;
    await withStore(keyPrefix, async (store) => {
      const left = await store.getTasks(ids);
      const waiting = left.filter((t) => t.state === 'ready').length;
      assert.ok(left.length < 450, 'the purge had begun');
      assert.equal(waiting, left.length, 'every task left still waits');
      assert.equal((await store.queueSummaries('a'))[0]!.counts.ready, waiting, 'and is counted');
      assert.equal((await store.listTasks('a', 'ready', 1000, 0)).tasks.length, waiting, 'and is in its lane');
    }, ONE_SHARD);
  });

  it('couchbase: a batch that keeps losing a race on one queue splits, and a publish to another queue in it commits', async () => {
    const keyPrefix = `test-${randomUUID()}`;
    const coll = await collection();
    let release!: () => void;
    const released = new Promise<void>((r) => { release = r; });
    let held!: () => void;
    const holding = new Promise<void>((r) => { held = r; });
    let holder: Promise<unknown> | null = null;
    await withStore(keyPrefix, async (store) => {
      try {
        await store.publishEvents([ev(['free']), ev(['held'])], Date.now());
        // Another node: a transaction that has staged a write on queue "held" and waits to commit.
        holder = (await cluster!).transactions().run(async (ctx) => {
          const d = await ctx.get(coll, `${keyPrefix}:q:held`);
          await ctx.replace(d, d.content);
          held();
          await released;
        }, { timeout: 15_000 });
        await holding;
        // Both in one batch (the same turn of the event loop), the free queue's first.
        let freeDone = false;
        const free = store.publishEvents([ev(['free'])], Date.now()).then((r) => { freeDone = true; return r; });
        const blocked = store.publishEvents([ev(['held'])], Date.now());
        await until('the free queue\'s publish', () => freeDone, 14_000);
        assert.equal((await free).outcome, 'ok', 'committed while the other queue was still held');
        release();
        assert.equal((await blocked).outcome, 'ok', 'and the held queue\'s publish once it was let go');
      } finally {
        release();
        await holder?.catch(() => undefined);
      }
    }, ONE_SHARD);
  });
}
