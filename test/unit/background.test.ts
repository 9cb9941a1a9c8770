// The background passes on one node, driven by hand at chosen times (runOnce(nowMs)) over a real
// SQLite store in a temp dir: what each sweep changes and counts, what it wakes, and the scheduler's
// one firing per tick, a collapsed catch-up after an outage, and a paused schedule left alone.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/clock.js';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { Broker } from '../../src/broker/index.js';
import { Sweeps } from '../../src/broker/background/sweeps.js';
import { Scheduler } from '../../src/broker/background/scheduler.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { createLogger } from '../../src/log.js';
import { tempDir } from '../helpers/server.js';

const T0 = Date.parse('2026-03-01T00:00:00Z');

describe('background passes', () => {
  let dir: string;
  let clockMs: number;
  let broker: Broker;
  beforeEach(() => {
    dir = tempDir();
    clockMs = T0;
    broker = new Broker(openSqliteStore(path.join(dir, 'bg.db'), { sync: 'full', clock: systemClock }), {
      leaseSeconds: 60, workerTimeoutSeconds: 600, keepFinishedSeconds: 3600, idempotencyTtlSeconds: 86400, pushSecret: null, pushDiscoveryIntervalMs: 1000,
      crossNodePollMs: 3_600_000, // no shared tick: a wake-up here comes from the sweep itself
    }, createLogger('error'), () => clockMs);
  });
  afterEach(async () => {
    broker.stopWaiting();
    await broker.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('one sweep pass promotes due tasks, returns expired leases, reaps idle workers and prunes old finished tasks, and counts each', async () => {
    await broker.setInterests('q', '*');
    await broker.publish([{ publisher: 'p', data: { n: 1 } }, { publisher: 'p', data: { n: 2 } }, { publisher: 'p', data: { n: 3 }, delay: 30 }]);
    const idle = await broker.registerWorker('idle', ['q']);
    const [kept] = await broker.claim(idle.workerId, 1, 0);
    const done = await broker.registerWorker('done', ['q']);
    const [finished] = await broker.claim(done.workerId, 1, 0);
    await broker.report(done.workerId, [{ taskId: finished!.taskId, state: 'success' }]);
    const sweeps = new Sweeps(broker.ctx);
    await sweeps.runOnce(T0 + 10_000);
    assert.deepEqual({ ...sweeps.counts }, { promoted: 0, leasesReturned: 0, leasesFailed: 0, workersReaped: 0, pruned: 0, runs: 1, errors: 0 }, 'nothing is due yet');
    await sweeps.runOnce(T0 + 61_000);
    assert.equal(sweeps.counts.promoted, 1, 'the delayed task');
    assert.equal(sweeps.counts.leasesReturned, 1, "idle's task");
    assert.equal((await broker.store.getTask(kept!.taskId))!.state, 'ready');
    await sweeps.runOnce(T0 + 3_700_000);
    assert.equal(sweeps.counts.workersReaped, 2, 'both silent past the worker timeout');
    assert.equal(sweeps.counts.pruned, 1, 'the success an hour old');
    assert.equal(await broker.store.getTask(finished!.taskId), null);
  });

  it('a returned lease wakes a waiting long poll of that queue', async () => {
    await broker.setInterests('q', '*');
    await broker.publish([{ publisher: 'p', data: {} }]);
    const a = await broker.registerWorker('a', ['q']);
    const [t] = await broker.claim(a.workerId, 1, 0);
    const b = await broker.registerWorker('b', ['q']);
    const waiting = broker.claim(b.workerId, 1, 20);
    while (broker.ctx.waiters.size === 0) await new Promise((r) => setImmediate(r));
    clockMs = T0 + 61_000;
    await new Sweeps(broker.ctx).runOnce(clockMs);
    // Woken by the sweep itself (there is no shared tick here), not left to wait out its 20 s.
    assert.equal(broker.ctx.waiters.size, 0, 'the sweep woke the waiting poll');
    assert.equal((await waiting)[0]?.taskId, t!.taskId);
  });

  it('the scheduler fires each due tick once, collapses an outage into one firing, and leaves a paused schedule alone', async () => {
    await broker.setInterests('beats', '*');
    await broker.schedules.put({ name: 'beat', cron: '*/10 * * * * *', timezone: null, event: { publisher: 'cron', data: { beat: 1 } }, paused: false });
    await broker.schedules.put({ name: 'off', cron: '* * * * * *', timezone: null, event: { publisher: 'cron', data: { off: 1 } }, paused: true });
    const scheduler = new Scheduler(broker.ctx);
    await scheduler.runOnce(T0 + 12_000);
    await scheduler.runOnce(T0 + 21_000);
    assert.equal(scheduler.counts.fired, 2, 'the ticks at :10 and :20, each on its own');
    await scheduler.runOnce(T0 + 21_000);
    assert.equal(scheduler.counts.fired, 2, 'a pass repeated at the same time fires nothing');
    await scheduler.runOnce(T0 + 3_600_000);
    assert.equal(scheduler.counts.fired, 3, 'an hour of missed ticks fires once');
    const { tasks } = await broker.listQueueTasks('beats', 'ready', 100, 0);
    assert.equal(tasks.length, 3);
    const catchUp = tasks.map((t) => t.history[0]!.origin as { missedTicks?: number }).find((o) => o.missedTicks);
    assert.equal(catchUp?.missedTicks, 357, 'it stands for the 358 ticks from :30 to the hour');
    assert.ok(tasks.every((t) => (t.data as { beat?: number }).beat === 1), 'the paused schedule fired nothing');
  });

  // Found by the soak (npm run soak, Couchbase, three nodes): a catch-up that stood for ticks
  // already fired, by a node whose view of the schedule was stale or that died mid-firing.
  it('a node with a stale view of the schedule fires no catch-up over ticks another node fired since', async () => {
    await broker.setInterests('beats', '*');
    await broker.schedules.put({ name: 'tick', cron: '* * * * * *', timezone: null, event: { publisher: 'cron', data: {} }, paused: false });
    const stale = (await broker.store.listSchedules())[0]!; // read by node X, which then waits out an outage
    const y = new Scheduler(broker.ctx);
    for (let t = 1; t <= 20; t++) await y.runOnce(T0 + t * 1000 + 100); // node Y fires 20 ticks meanwhile
    const x = new Scheduler(broker.ctx) as unknown as { fireDue(s: unknown, nowMs: number): Promise<void>; counts: { fired: number } };
    await x.fireDue(stale, T0 + 21_100); // 21 ticks "due" from X's stale view: a catch-up at :21, if it fired
    assert.equal(x.counts.fired, 0, 'the stale node claims nothing, so fires nothing');
    const { tasks } = await broker.listQueueTasks('beats', 'ready', 100, 0);
    assert.equal(tasks.length, 20);
    assert.ok(tasks.every((t) => !(t.history[0]!.origin as { missedTicks?: number }).missedTicks), 'no firing stands for missed ticks');
  });

  it('a tick claimed by a node that died before firing it is fired by another after a grace, once', async () => {
    await broker.setInterests('beats', '*');
    await broker.schedules.put({ name: 'tick', cron: '* * * * * *', timezone: null, event: { publisher: 'cron', data: {} }, paused: false });
    // The dead node's claim: the tick at T0+1s, never published nor confirmed.
    assert.ok(await broker.store.recordScheduleFiring('tick', T0, { lastTickMs: T0 + 1000, lastFiredAtMs: T0 + 1100, lastEventId: null, lastMissedTicks: 0 }));
    const other = new Scheduler(broker.ctx);
    await other.runOnce(T0 + 3000);
    assert.equal(other.counts.fired, 0, 'within the grace the claiming node may still be firing it');
    await other.runOnce(T0 + 7000);
    const { tasks } = await broker.listQueueTasks('beats', 'ready', 100, 0);
    assert.deepEqual(tasks.map((t) => (t.history[0]!.origin as { tickAt: number }).tickAt), [(T0 + 1000) / 1000], 'the claimed tick, once');
    const s = await broker.store.getSchedule('tick');
    assert.deepEqual([s!.lastTickMs, s!.lastEventId], [T0 + 1000, tasks[0]!.eventId], 'confirmed');
    await other.runOnce(T0 + 8000);
    const ticks = (await broker.listQueueTasks('beats', 'ready', 100, 0)).tasks.map((t) => (t.history[0]!.origin as { tickAt: number }).tickAt).sort();
    assert.deepEqual(ticks, [1, 2, 3, 4, 5, 6, 7, 8].map((n) => (T0 + n * 1000) / 1000), 'then it carries on from there, each tick once');
  });

  // Edges of the claim found reading the scheduler after the soak: a pause, resume or replace
  // landing while a tick is claimed, and a pass that read the schedule before a pause landed.
  it('a claim left pending across a pause and resume lapses: nothing fires at the resume time, later ticks fire once', async () => {
    await broker.setInterests('beats', '*');
    await broker.schedules.put({ name: 'tick', cron: '* * * * * *', timezone: null, event: { publisher: 'cron', data: {} }, paused: false });
    assert.ok(await broker.store.recordScheduleFiring('tick', T0, { lastTickMs: T0 + 1000, lastFiredAtMs: T0 + 1100, lastEventId: null, lastMissedTicks: 0 }));
    clockMs = T0 + 2000;
    await broker.schedules.pause('tick', true);
    clockMs = T0 + 4500;
    await broker.schedules.pause('tick', false);
    const other = new Scheduler(broker.ctx);
    for (const t of [6100, 7100, 8100, 9100, 10_100]) await other.runOnce(T0 + t);
    const ticks = (await broker.listQueueTasks('beats', 'ready', 100, 0)).tasks.map((t) => (t.history[0]!.origin as { tickAt: number }).tickAt).sort();
    assert.deepEqual(ticks, [5, 6, 7, 8, 9, 10].map((n) => (T0 + n * 1000) / 1000), 'the ticks after the resume, each once, and none at 4.5 s');
  });

  it('a claim left pending when the schedule is replaced lapses too', async () => {
    await broker.setInterests('beats', '*');
    await broker.schedules.put({ name: 'tick', cron: '* * * * * *', timezone: null, event: { publisher: 'cron', data: {} }, paused: false });
    assert.ok(await broker.store.recordScheduleFiring('tick', T0, { lastTickMs: T0 + 1000, lastFiredAtMs: T0 + 1100, lastEventId: null, lastMissedTicks: 0 }));
    clockMs = T0 + 2500;
    await broker.schedules.put({ name: 'tick', cron: '*/5 * * * * *', timezone: null, event: { publisher: 'cron', data: {} }, paused: false });
    const other = new Scheduler(broker.ctx);
    for (const t of [8100, 10_100, 15_100]) await other.runOnce(T0 + t);
    const ticks = (await broker.listQueueTasks('beats', 'ready', 100, 0)).tasks.map((t) => (t.history[0]!.origin as { tickAt: number }).tickAt).sort();
    assert.deepEqual(ticks, [5, 10, 15].map((n) => (T0 + n * 1000) / 1000), 'the new cron\'s ticks only');
  });

  it('a pass that read the schedule before a pause landed claims nothing after it', async () => {
    await broker.setInterests('beats', '*');
    await broker.schedules.put({ name: 'tick', cron: '* * * * * *', timezone: null, event: { publisher: 'cron', data: {} }, paused: false });
    const readBeforePause = (await broker.store.listSchedules())[0]!;
    await broker.schedules.pause('tick', true);
    const x = new Scheduler(broker.ctx) as unknown as { fireDue(s: unknown, nowMs: number): Promise<void>; counts: { fired: number } };
    await x.fireDue(readBeforePause, T0 + 1100);
    assert.equal(x.counts.fired, 0);
    assert.equal((await broker.listQueueTasks('beats', 'ready', 100, 0)).tasks.length, 0, 'nothing published while paused');
  });
});
