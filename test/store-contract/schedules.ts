// Store contract, schedules.
import assert from 'node:assert/strict';
import type { ScheduleDefinition } from '../../src/store/store.js';
import { T0, type Kit } from './harness.js';

export function schedulesContract({ store, test, publish }: Kit) {
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

  test('schedules: a claim (no event yet) is refused while paused; its confirmation is not', async () => {
    await store.putSchedule(def(), T0);
    const claim = { lastTickMs: T0 + 60_000, lastFiredAtMs: T0 + 60_100, lastEventId: null, lastMissedTicks: 0 };
    assert.equal(await store.recordScheduleFiring('nightly', T0, claim), true, 'claimed while running');
    await store.setSchedulePaused('nightly', true, T0 + 60_200);
    assert.equal(await store.recordScheduleFiring('nightly', T0 + 60_000, { ...claim, lastEventId: 'e1' }), true, 'the claimed tick is confirmed');
    assert.equal(await store.recordScheduleFiring('nightly', T0 + 60_000, { ...claim, lastTickMs: T0 + 120_000 }), false, 'no new claim while paused');
    assert.equal((await store.getSchedule('nightly'))!.lastTickMs, T0 + 60_000);
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
}
