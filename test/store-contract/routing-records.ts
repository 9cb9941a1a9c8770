// Store contract, what routing leaves behind: event logs appended, read newest first, trimmed by
// count and age (a store may keep up to one block more), events removed once; match counts merged.
import assert from 'node:assert/strict';
import type { LoggedEvent } from '../../src/store/store.js';
import { T0, type Kit } from './harness.js';

const ev = (i: number, atMs = T0 + i): LoggedEvent => ({ eventId: `e${String(i).padStart(4, '0')}`, publisher: 'p', data: { i }, atMs, options: { priority: 1 } });
const KEEP_ALL = { count: 1_000_000, sinceMs: 0 };

export function routingRecordsContract({ store, test }: Kit) {
  test('routing records: an event log is read newest first, by age, and holds what was kept', async () => {
    assert.deepEqual(await store.readEvents('sample', 0), []);
    await store.appendEvents('sample', [ev(1), ev(2)], KEEP_ALL);
    await store.appendEvents('sample', [ev(3)], KEEP_ALL);
    await store.appendEvents('unrouted', [ev(9)], KEEP_ALL);
    assert.deepEqual(await store.readEvents('sample', 0), [ev(3), ev(2), ev(1)]);
    assert.deepEqual((await store.readEvents('sample', T0 + 2)).map((e) => e.eventId), ['e0003', 'e0002']);
    assert.equal(await store.countEvents('sample'), 3);
    assert.equal(await store.countEvents('unrouted'), 1);
  });

  test('routing records: trimming keeps the newest by count (within a block of 100) and drops old ones', async () => {
    for (let i = 0; i < 500; i += 50) await store.appendEvents('sample', Array.from({ length: 50 }, (_, j) => ev(i + j)), { count: 200, sinceMs: 0 });
    const kept = await store.readEvents('sample', 0);
    assert.ok(kept.length >= 200 && kept.length < 300, `kept ${kept.length}`);
    assert.equal(kept[0]!.eventId, 'e0499');
    assert.equal(await store.countEvents('sample'), kept.length, 'the count follows what trimming keeps');
    assert.deepEqual(kept.map((e) => e.data.i), [...kept.map((e) => e.data.i as number)].sort((a, b) => b - a));
    // Nothing new: the age limit alone drops everything older.
    await store.appendEvents('sample', [], { count: 1000, sinceMs: T0 + 10_000 });
    assert.deepEqual(await store.readEvents('sample', 0), []);
    assert.equal(await store.countEvents('sample'), 0);
  });

  test('routing records: a page of a log is that slice of the whole, newest first, with the whole count', async () => {
    // 260 events over several appends (and blocks), the first 40 older than the page's sinceMs;
    // one removed from the middle.
    for (let i = 0; i < 260; i += 65) await store.appendEvents('unrouted', Array.from({ length: 65 }, (_, j) => ev(i + j, T0 - 40 + i + j)), KEEP_ALL);
    assert.deepEqual(await store.removeEvents('unrouted', ['e0150']), ['e0150']);
    const whole = (await store.readEvents('unrouted', T0)).map((e) => e.eventId);
    assert.equal(whole.length, 219);
    for (const offset of [0, 1, 19, 20, 99, 100, 150, 218, 219, 300]) {
      for (const limit of [1, 7, 100, 250]) {
        const page = await store.readEventsPage('unrouted', T0, limit, offset);
        assert.deepEqual([page.total, page.events.map((e) => e.eventId)], [219, whole.slice(offset, offset + limit)], `offset ${offset}, limit ${limit}`);
      }
    }
    assert.deepEqual(await store.readEventsPage('sample', T0, 10, 0), { total: 0, events: [] });
  });

  test('routing records: a read holding texts returns every event whose JSON holds them, newest first', async () => {
    const events = Array.from({ length: 30 }, (_, i) => ({ ...ev(i), publisher: i % 3 === 0 ? 'bank' : 'shop', data: { i, note: i % 5 === 0 ? 'say "refund"' : 'plain' } }));
    await store.appendEvents('unrouted', events, KEEP_ALL);
    const holding = (texts: string[]) => events.filter((e) => texts.every((t) => JSON.stringify(e).includes(t))).map((e) => e.eventId).reverse();
    for (const texts of [['"publisher":"bank"'], ['say \\"refund\\"'], ['"publisher":"bank"', 'refund'], ['nowhere']]) {
      const got = (await store.readEvents('unrouted', 0, texts)).map((e) => e.eventId);
      const want = holding(texts);
      assert.deepEqual(got.filter((id) => want.includes(id)), want, `every event holding ${JSON.stringify(texts)}, in order`);
    }
    assert.equal((await store.readEvents('unrouted', 0, [])).length, 30);
  });

  test('routing records: events read by id are those of them the log keeps since then, newest first', async () => {
    for (let i = 0; i < 260; i += 65) await store.appendEvents('unrouted', Array.from({ length: 65 }, (_, j) => ev(i + j, T0 - 40 + i + j)), KEEP_ALL);
    await store.appendEvents('sample', [ev(300)], KEEP_ALL);
    assert.deepEqual(await store.removeEvents('unrouted', ['e0150']), ['e0150']);
    // e0010 is older than sinceMs, e0150 was removed, e0300 is in another log, nope never was.
    const got = await store.readEventsById('unrouted', T0, ['e0007', 'e0045', 'e0259', 'e0010', 'e0150', 'e0300', 'nope', 'e0100']);
    assert.deepEqual(got.map((e) => e.eventId), ['e0259', 'e0100', 'e0045']);
    assert.deepEqual(got[0], ev(259, T0 - 40 + 259));
    assert.deepEqual(await store.readEventsById('unrouted', T0, []), []);
  });

  test('routing records: removing events takes each once and leaves the others', async () => {
    await store.appendEvents('unrouted', Array.from({ length: 150 }, (_, i) => ev(i)), KEEP_ALL);
    await store.appendEvents('sample', [ev(5)], KEEP_ALL);
    const [first, second] = await Promise.all([
      store.removeEvents('unrouted', ['e0005', 'e0120', 'nope']),
      store.removeEvents('unrouted', ['e0005']),
    ]);
    assert.deepEqual([...first, ...second].sort(), ['e0005', 'e0120']);
    assert.equal(await store.countEvents('unrouted'), 148);
    assert.ok(!(await store.readEvents('unrouted', 0)).some((e) => e.eventId === 'e0005' || e.eventId === 'e0120'));
    assert.equal(await store.countEvents('sample'), 1);
  });

  test('routing records: interest match counts add up, keeping the latest match', async () => {
    assert.deepEqual(await store.interestMatches(), []);
    await store.addInterestMatches([{ queue: 'a', interest: '{"type":"^x$"}', count: 2, lastMatchMs: T0 }]);
    await Promise.all([
      store.addInterestMatches([{ queue: 'a', interest: '{"type":"^x$"}', count: 3, lastMatchMs: T0 - 5 }, { queue: 'b', interest: '*', count: 1, lastMatchMs: T0 + 1 }]),
      store.addInterestMatches([{ queue: 'a', interest: '{"type":"^x$"}', count: 1, lastMatchMs: T0 + 7 }]),
    ]);
    const got = (await store.interestMatches()).sort((x, y) => x.queue.localeCompare(y.queue));
    assert.deepEqual(got, [
      { queue: 'a', interest: '{"type":"^x$"}', count: 6, lastMatchMs: T0 + 7 },
      { queue: 'b', interest: '*', count: 1, lastMatchMs: T0 + 1 },
    ]);
  });
}
