// Schedules over HTTP: validation, listing with next runs, pause, delete; ticks fired once each (in
// process with a chosen clock), missed ticks fired once on start, and two processes firing a
// per-second schedule publish each tick once.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '../helpers/until.js';
import path from 'node:path';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { spawnBroker } from '../helpers/process.js';
import { client } from '../helpers/http.js';

const EVENT = { publisher: 'cron', data: { job: 'report' } };

describe('schedules', () => {
  let s: TestServer | undefined;
  afterEach(async () => { await s?.stop(); s = undefined; });

  it('PUT /schedule validates the cron, the zone and the event; GET lists with next runs; PATCH pauses; DELETE removes', async () => {
    s = await startTestServer();
    const bad = await s.api.call('PUT', '/schedule', { name: 'n', cron: '61 * * * *', event: EVENT });
    assert.deepEqual([bad.status, bad.body.code], [400, 'invalid_input']);
    assert.match(bad.body.error, /cron "61 \* \* \* \*" is not valid: minute/);
    const zone = await s.api.call('PUT', '/schedule', { name: 'n', cron: '* * * * *', timezone: 'Mars/Olympus', event: EVENT });
    assert.deepEqual([zone.status, zone.body.details[0].field], [400, 'timezone']);
    const ev = await s.api.call('PUT', '/schedule', { name: 'n', cron: '* * * * *', event: { publisher: 'cron' } });
    assert.deepEqual([ev.status, ev.body.details[0].field], [400, 'event.data']);
    const withKey = await s.api.call('PUT', '/schedule', { name: 'n', cron: '* * * * *', event: { ...EVENT, idempotencyKey: 'k' } });
    assert.equal(withKey.status, 400, 'each tick has its own idempotency key');
    assert.deepEqual((await s.api.call('GET', '/schedule')).body, { schedules: [] }, 'nothing was stored');

    const put = await s.api.call('PUT', '/schedule', { name: 'nightly', cron: '0 3 * * *', timezone: 'Europe/Paris', event: EVENT });
    assert.equal(put.status, 201, 'created');
    assert.equal(put.body.nextRuns.length, 3);
    const next = new Date(put.body.nextRuns[0] * 1000);
    assert.equal(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' }).format(next), '03:00');
    assert.ok(put.body.nextRuns[0] > Date.now() / 1000);
    assert.deepEqual((await s.api.call('GET', '/schedule')).body.schedules.map((x: { name: string }) => x.name), ['nightly']);
    assert.equal((await s.api.status()).schedules[0].nextRunAt, put.body.nextRuns[0], '/status shows the next run');

    const paused = await s.api.call('PATCH', '/schedule', { name: 'nightly', paused: true });
    assert.deepEqual([paused.body.paused, paused.body.nextRuns], [true, []]);
    assert.equal((await s.api.call('PATCH', '/schedule', { name: 'never', paused: true })).status, 404);
    assert.deepEqual((await s.api.call('DELETE', '/schedule?name=nightly')).body, { name: 'nightly', deleted: true });
    assert.equal((await s.api.call('DELETE', '/schedule?name=nightly')).body.code, 'schedule_not_found');
    assert.equal((await s.api.call('GET', '/schedule?name=nightly')).status, 404);
  });

  it('each tick publishes once however often the scheduler looks; ticks missed while no node ran fire once, saying so', async () => {
    let now = Date.UTC(2026, 10, 24, 12, 0, 0, 500);
    const dbFile = path.join(tempDir(), 'sched.db');
    s = await startTestServer({}, { dbFile, now: () => now });
    await s.api.interest('reports', { job: '^report$' });
    await s.api.call('PUT', '/schedule', { name: 'every10s', cron: '*/10 * * * * *', event: EVENT });
    const tasks = async () => (await s!.api.call('GET', '/queue/tasks?queue=reports&state=ready&limit=1000')).body.tasks;

    now += 10_000; // 12:00:10.5: the 12:00:10 tick is due
    await s.scheduler.runOnce(now);
    await s.scheduler.runOnce(now);
    now += 5_000;
    await s.scheduler.runOnce(now);
    assert.equal((await tasks()).length, 1);
    const origin = (await tasks())[0].history[0].origin;
    assert.deepEqual(origin, { schedule: 'every10s', tickAt: Date.UTC(2026, 10, 24, 12, 0, 10) / 1000 });

    // Every node down for an hour: 360 ticks due, fired once on start.
    await s.stop();
    now += 3600_000;
    s = await startTestServer({}, { dbFile, now: () => now });
    await s.scheduler.runOnce(now);
    await s.scheduler.runOnce(now);
    const after = await tasks();
    assert.equal(after.length, 2);
    const late = after.find((t: { history: { origin: { missedTicks?: number } }[] }) => t.history[0]!.origin.missedTicks);
    assert.equal(late.history[0].origin.missedTicks, 359);
    assert.match(late.history[0].origin.note, /fired once for 360 ticks missed/);
    const sched = (await s.api.call('GET', '/schedule?name=every10s')).body.schedule;
    assert.deepEqual([sched.lastMissedTicks, sched.lastEventId], [359, late.eventId]);
    assert.match(await (await fetch(`${s.url}/metrics`)).text(), /switchyard_schedule_fires_total\{schedule="every10s",kind="catch_up"\} 1/);

    // Paused: no firing; resumed: the paused ticks are skipped, not caught up.
    await s.api.call('PATCH', '/schedule', { name: 'every10s', paused: true });
    now += 60_000;
    await s.scheduler.runOnce(now);
    await s.api.call('PATCH', '/schedule', { name: 'every10s', paused: false });
    await s.scheduler.runOnce(now);
    assert.equal((await tasks()).length, 2);
  });

  it('two broker processes firing a per-second schedule publish each tick once', async () => {
    const dbFile = path.join(tempDir(), 'two.db');
    const nodes = [await spawnBroker(dbFile), await spawnBroker(dbFile)];
    try {
      const api = client(nodes[0]!.url);
      await api.interest('beats', '*');
      await api.call('PUT', '/schedule', { name: 'beat', cron: '* * * * * *', event: { publisher: 'cron', data: { beat: true } } });
      await until('three ticks fired', async () => (await api.call('GET', '/queue/tasks?queue=beats&state=ready&limit=0')).body.total >= 3, 20_000);
      await client(nodes[1]!.url).call('PATCH', '/schedule', { name: 'beat', paused: true });
      // Two more finished passes on each node: the second began after the pause, so none is under way.
      const passes = async (url: string) => Number(/^switchyard_scheduler_passes_total (\d+)$/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1] ?? NaN);
      const pausedAt = await Promise.all(nodes.map((n) => passes(n.url)));
      await until('two passes on each node after the pause', async () =>
        (await Promise.all(nodes.map((n) => passes(n.url)))).every((p, i) => p >= pausedAt[i]! + 2), 20_000);
      const { tasks } = (await api.call('GET', '/queue/tasks?queue=beats&state=ready&limit=1000')).body;
      const ticks = tasks.map((t: { history: { origin: { tickAt: number } }[] }) => t.history[0]!.origin.tickAt).sort();
      assert.ok(ticks.length >= 3, `ticks fired: ${ticks.length}`);
      assert.equal(new Set(ticks).size, ticks.length, `no tick twice: ${ticks.join(', ')}`);
      for (let i = 1; i < ticks.length; i++) assert.equal(ticks[i] - ticks[i - 1], 1, `no tick skipped: ${ticks.join(', ')}`);
    } finally {
      for (const n of nodes) n.proc.kill('SIGTERM');
      await Promise.all(nodes.map((n) => n.exited));
    }
  });
});
