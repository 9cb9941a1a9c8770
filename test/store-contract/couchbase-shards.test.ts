// A Couchbase queue's shards (docs/couchbase.md): nodes of one cluster publish to and claim from
// shard documents of their own, so that a hot queue is not one document every node writes. Two
// stores under one key prefix are two nodes; the first to ask gets shard 1, the next shard 2.
import { systemClock } from '../../src/clock.js';
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect, type Cluster } from 'couchbase';
import { couchbaseTestSettings } from '../helpers/couchbase.js';
import { openCouchbaseStore } from '../../src/store/couchbase/open.js';
import type { Store } from '../../src/store/store.js';
import { ev, RULES } from './harness.js';
import { TAKE_OVER_EVERY_MS } from '../../src/store/couchbase/claim.js';

const settings = couchbaseTestSettings();
if (!settings) {
  it('Couchbase queue shards', (t) => { t.skip('skipped: COUCHBASE_CONNSTR not set'); });
  console.log('# Couchbase queue shards skipped: COUCHBASE_CONNSTR not set');
} else {
  let cluster: Promise<Cluster> | null = null;
  after(async () => { if (cluster) await (await cluster).close(); });
  /** A queue document as stored, read beside the stores. */
  const readQueue = async (key: string) => {
    cluster ??= connect(settings.connStr, { username: settings.username, password: settings.password });
    return (await (await cluster).bucket(settings.bucket).defaultCollection().get(key)).content as { counts: { ready: number; started: number }; shards?: number[] };
  };
  /** Two nodes over one installation, their home shards 1 and 2 (each publishes once, in turn). */
  const twoNodes = async (work: (a: Store, b: Store, prefix: string) => Promise<void>) => {
    const prefix = `test-${randomUUID()}`;
    const a = await openCouchbaseStore({ ...settings, keyPrefix: prefix, queueShards: 4 }, systemClock);
    const b = await openCouchbaseStore({ ...settings, keyPrefix: prefix, queueShards: 4 }, systemClock);
    try {
      await a.publishEvents([ev(['warm-up'])], Date.now());
      await b.publishEvents([ev(['warm-up'])], Date.now());
      await work(a, b, prefix);
    } finally { await Promise.all([a.close(), b.close()]); }
  };
  const now = () => Date.now();
  const taskIds = (r: Awaited<ReturnType<Store['publishEvents']>>) => (r.outcome === 'ok' ? r.events.flatMap((e) => e.tasks.map((t) => t.taskId)) : []);
  const claimed = async (store: Store, workerId: string, count: number, atMs = now()) => {
    const r = await store.claimTasks(workerId, count, atMs, RULES);
    assert.equal(r.outcome, 'ok');
    return r.outcome === 'ok' ? r.tasks.map((t) => t.taskId) : [];
  };

  it('couchbase shards: each node publishes to its own shard of a queue; claims take their own first, then the rest; counts and lists span all', async () => {
    await twoNodes(async (a, b, prefix) => {
      const fromA = taskIds(await a.publishEvents([1, 2, 3].map(() => ev(['hot'], { runAtMs: now() - 1000 })), now()));
      const fromB = taskIds(await b.publishEvents([1, 2].map(() => ev(['hot'], { runAtMs: now() - 1000 })), now()));
      assert.equal((await readQueue(`${prefix}:qs:1:hot`)).counts.ready, 3, 'node a\'s shard');
      assert.equal((await readQueue(`${prefix}:qs:2:hot`)).counts.ready, 2, 'node b\'s shard');
      const head = await readQueue(`${prefix}:q:hot`);
      assert.deepEqual([head.counts.ready, [...head.shards!].sort()], [0, [1, 2]], 'the head lists the shards and holds none of their tasks');
      for (const store of [a, b]) {
        assert.equal((await store.queueSummaries('hot'))[0]!.counts.ready, 5);
        assert.deepEqual(new Set((await store.listTasks('hot', 'ready', 10, 0)).tasks.map((t) => t.taskId)), new Set([...fromA, ...fromB]));
      }
      // Node b's worker: its own shard (2) comes after a's (1) in the head's list, and is taken first;
      // a's tasks, which have waited, are moved into b's shard and taken after.
      const w = await b.registerWorker('w', ['hot'], now());
      const tookOverAt = now();
      const first = await claimed(b, w.workerId, 5, tookOverAt);
      assert.deepEqual(first.slice(0, 2), fromB, 'its own shard first, in arrival order');
      assert.deepEqual(new Set(first.slice(2)), new Set(fromA), 'then the other node\'s');
      assert.equal((await a.queueSummaries('hot'))[0]!.counts.started, 5);
      assert.equal((await readQueue(`${prefix}:qs:1:hot`)).counts.ready, 0, 'moved out of node a\'s shard');
      // A more urgent task in another node's shard comes before this node's own, once this node may
      // take over again: right after a take-over, its claims take what its own shards hold.
      const waited = { runAtMs: now() - 5000 };
      const mine = taskIds(await b.publishEvents([ev(['hot'], waited), ev(['hot'], waited)], now()));
      const urgent = taskIds(await a.publishEvents([ev(['hot'], { ...waited, priority: 5 })], now()));
      assert.deepEqual(await claimed(b, w.workerId, 1, tookOverAt + 1), mine.slice(0, 1), 'no second take-over at once');
      assert.equal((await readQueue(`${prefix}:qs:1:hot`)).counts.ready, 1, 'the urgent task stays in node a\'s shard meanwhile');
      assert.deepEqual(await claimed(b, w.workerId, 1, tookOverAt + TAKE_OVER_EVERY_MS), urgent);
      assert.deepEqual(await claimed(b, w.workerId, 1, tookOverAt + TAKE_OVER_EVERY_MS), mine.slice(1));
      const done = await b.completeTasks(w.workerId, [...first, ...urgent, ...mine].map((taskId) => ({ taskId })), now());
      assert.equal(done.outcome, 'ok');
      const summary = (await a.queueSummaries('hot'))[0]!;
      assert.deepEqual([summary.counts.started, summary.counts.succeeded, summary.counts.ready], [0, 8, 0]);
      assert.equal((await a.totals()).hot!.succeeded, 8);
      assert.equal((await a.listTasks('hot', 'succeeded', 10, 0)).tasks.length, 8);
      assert.deepEqual([(await readQueue(`${prefix}:qs:1:hot`)).counts.ready, (await readQueue(`${prefix}:qs:2:hot`)).counts.ready], [0, 0]);
    });
  });

  it('couchbase shards: a take-over lost to the shard\'s busy node answers the claim with what it has, and waits before the next', async () => {
    await twoNodes(async (a, b, prefix) => {
      const fromA = taskIds(await a.publishEvents([1, 2].map(() => ev(['busy'], { runAtMs: now() - 5000 })), now()));
      const w = await b.registerWorker('w', ['busy'], now());
      cluster ??= connect(settings.connStr, { username: settings.username, password: settings.password });
      const coll = (await cluster).bucket(settings.bucket).defaultCollection();
      let release!: () => void;
      const released = new Promise<void>((r) => { release = r; });
      let held!: () => void;
      const holding = new Promise<void>((r) => { held = r; });
      // Node a at work on its shard: a transaction that has staged a write on it and waits to commit.
      const holder = (await cluster).transactions().run(async (ctx) => {
        const d = await ctx.get(coll, `${prefix}:qs:1:busy`);
        await ctx.replace(d, d.content);
        held();
        await released;
      }, { timeout: 15_000 });
      try {
        await holding;
        const lostAt = now();
        assert.deepEqual(await claimed(b, w.workerId, 2, lostAt), [], 'nothing moved, and no error');
        release();
        await holder;
        assert.deepEqual(await claimed(b, w.workerId, 2, lostAt + TAKE_OVER_EVERY_MS), [], 'no take-over yet: it waits twice as long after a lost one');
        assert.deepEqual(new Set(await claimed(b, w.workerId, 2, lostAt + 2 * TAKE_OVER_EVERY_MS)), new Set(fromA));
      } finally {
        release();
        await holder.catch(() => undefined);
      }
    });
  });

  it('couchbase shards: a take-over moves half of a long backlog at once, leaving the other half to its node', async () => {
    await twoNodes(async (a, b, prefix) => {
      await a.publishEvents(Array.from({ length: 100 }, () => ev(['backlog'], { runAtMs: now() - 5000 })), now());
      const w = await b.registerWorker('w', ['backlog'], now());
      assert.equal((await claimed(b, w.workerId, 1)).length, 1);
      assert.deepEqual([(await readQueue(`${prefix}:qs:1:backlog`)).counts.ready, (await readQueue(`${prefix}:qs:2:backlog`)).counts.ready], [50, 49]);
    });
  });

  it('couchbase shards: a task that has not waited long in another node\'s shard is left to that node', async () => {
    await twoNodes(async (a, b, prefix) => {
      const at = now();
      const fresh = taskIds(await a.publishEvents([ev(['own'], { runAtMs: at })], at));
      const w = await b.registerWorker('w', ['own'], at);
      // Asked at the moment it was published (the store takes the time it is given).
      assert.deepEqual(await claimed(b, w.workerId, 1, at), [], 'node b leaves it');
      assert.equal((await readQueue(`${prefix}:qs:1:own`)).counts.ready, 1);
      assert.deepEqual(await claimed(b, w.workerId, 1, at + 1000), fresh, 'until it has waited');
    });
  });

  it('couchbase shards: a task with a uniqueKey goes to the head from every node, so singularlyEnqueue holds across nodes', async () => {
    await twoNodes(async (a, b) => {
      const keyed = { uniqueKey: 'order-7', singularlyEnqueue: true };
      assert.equal(taskIds(await a.publishEvents([ev(['k'], keyed)], now())).length, 1);
      const again = await b.publishEvents([ev(['k'], keyed)], now());
      assert.ok(again.outcome === 'ok' && again.events[0]!.tasks.length === 0 && again.events[0]!.deduplicated.includes('k'), JSON.stringify(again));
    });
  });

  it('couchbase shards: a queue with a concurrency limit counts its started tasks over every shard', async () => {
    await twoNodes(async (a, b) => {
      await a.publishEvents([1, 2].map(() => ev(['lim'], { runAtMs: now() - 1000 })), now());
      await b.publishEvents([1, 2].map(() => ev(['lim'], { runAtMs: now() - 1000 })), now());
      await a.updateQueuePolicy('lim', { concurrency: 2 }, now());
      const wa = await a.registerWorker('wa', ['lim'], now());
      const wb = await b.registerWorker('wb', ['lim'], now());
      const one = await claimed(a, wa.workerId, 1);
      assert.equal((await claimed(b, wb.workerId, 4)).length, 1, 'room for one more, though node b\'s shard has two');
      assert.deepEqual(await claimed(a, wa.workerId, 4), [], 'at the limit');
      await a.completeTasks(wa.workerId, one.map((taskId) => ({ taskId })), now());
      assert.equal((await claimed(a, wa.workerId, 4)).length, 1, 'one finished: one more starts');
      assert.equal((await a.queueSummaries('lim'))[0]!.counts.started, 2);
    });
  });
}
