// Two pure decisions the schedules and publishes rest on: which cron ticks are due (in a zone), and
// what an idempotencyKey means for each event of a batch.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { CronMatchers, cronProblem } from '../../src/schedules/cron.js';
import { planIdempotency, type IdempotencyRecord } from '../../src/store/idempotency.js';
import type { NewEvent, PublishedEvent } from '../../src/model.js';

describe('cron', () => {
  const cron = new CronMatchers();
  after(() => cron.keepOnly([]));
  const at = (iso: string) => Date.parse(iso);

  it('refuses a bad expression or zone, naming it', () => {
    assert.match(cronProblem('61 * * * *', null) ?? '', /61|minute/i);
    assert.match(cronProblem('* * * * *', 'Mars/Olympus') ?? '', /timezone/);
    assert.equal(cronProblem('*/5 * * * *', 'Europe/Paris'), null);
  });

  it('lists the due ticks oldest first, and collapses a long outage to the newest with the total', () => {
    const every10s = cron.due('*/10 * * * * *', null, at('2026-01-01T00:00:00Z'), at('2026-01-01T00:00:35Z'), 10);
    assert.deepEqual(every10s, { ticks: [at('2026-01-01T00:00:10Z'), at('2026-01-01T00:00:20Z'), at('2026-01-01T00:00:30Z')], total: 3 });
    const outage = cron.due('* * * * * *', null, at('2026-01-01T00:00:00Z'), at('2026-01-01T01:00:00Z'), 1);
    assert.deepEqual(outage, { ticks: [at('2026-01-01T01:00:00Z')], total: 3600 });
    assert.deepEqual(cron.due('0 3 * * *', null, at('2026-01-01T03:00:00Z'), at('2026-01-01T04:00:00Z'), 5), { ticks: [], total: 0 }, 'the tick at afterMs itself is handled');
  });

  it('a rarely firing schedule whose last tick is days old costs a lookup, not a scan (the review: 200,000 steps a pass)', () => {
    const yearly = '0 0 0 1 1 *';
    const asked = { n: 0 };
    cron.due(yearly, null, at('2026-01-01T00:00:00Z'), at('2026-01-01T00:00:00Z'), 10);
    const task = (cron as unknown as { tasks: Map<string, { match(d: Date): boolean }> }).tasks.get(`${yearly}\u0000`)!;
    const match = task.match.bind(task);
    task.match = (d) => { asked.n++; return match(d); };
    for (let pass = 0; pass < 3; pass++) assert.deepEqual(cron.due(yearly, null, at('2026-01-01T00:00:00Z'), at('2026-03-10T12:00:00Z') + pass * 1000, 10), { ticks: [], total: 0 });
    assert.equal(asked.n, 0, 'no second was tried');
    assert.deepEqual(cron.due(yearly, null, at('2026-01-01T00:00:00Z'), at('2027-01-01T00:00:01Z'), 10), { ticks: [at('2027-01-01T00:00:00Z')], total: 1 });
    assert.ok(asked.n <= 2, `due: scanned back to the first tick only (${asked.n} seconds tried)`);
  });

  it('reads the expression in the schedule\'s zone', () => {
    const paris = cron.due('0 3 * * *', 'Europe/Paris', at('2026-07-01T00:00:00Z'), at('2026-07-02T00:00:00Z'), 5);
    assert.deepEqual(paris.ticks, [at('2026-07-01T01:00:00Z')], '03:00 in Paris in summer is 01:00 UTC');
  });

  it('gives the next runs in order and drops matchers no schedule uses', () => {
    const next = cron.nextRuns('* * * * *', null, 3);
    assert.equal(next.length, 3);
    assert.ok(next[0]! > Date.now() - 1000 && next[1]! - next[0]! === 60_000 && next[2]! - next[1]! === 60_000);
    cron.keepOnly([]);
  });
});

describe('idempotency plans', () => {
  const answer: PublishedEvent = { eventId: 'e1', status: 'enqueued', replayed: false, tasks: [], deduplicated: [] };
  const ev = (publisher: string, key: string | null, bodyHash = 'h'): NewEvent => ({
    eventId: `${publisher}-${key}-${bodyHash}`, publisher, data: {}, runAtMs: 0, priority: 0, scope: 'any', singularlyEnqueue: false,
    singularlyRun: false, uniqueKey: null, maxAttempts: null, routes: [], traceparent: null, pushUrl: null, idempotency: key === null ? null : { key, bodyHash, expiresAtMs: 1 },
  });
  const stored = new Map<string, IdempotencyRecord>([['p\u0000k', { bodyHash: 'h', answer, expiresAtMs: 10 }]]);
  const lookup = (publisher: string, key: string) => stored.get(`${publisher}\u0000${key}`) ?? null;

  it('a new key is new; a stored key with the same body replays its answer; no key is always new', () => {
    assert.deepEqual(planIdempotency([ev('p', 'new'), ev('p', 'k'), ev('p', null)], lookup),
      { plans: [{ kind: 'new' }, { kind: 'replay', answer }, { kind: 'new' }] });
  });

  it('the same key twice in one batch stores the first and replays it for the second', () => {
    assert.deepEqual(planIdempotency([ev('p', 'x'), ev('p', 'x')], lookup), { plans: [{ kind: 'new' }, { kind: 'same-as', index: 0 }] });
  });

  it('a key is the publisher\'s own: another publisher\'s same key is new', () => {
    assert.deepEqual(planIdempotency([ev('q', 'k')], lookup), { plans: [{ kind: 'new' }] });
  });

  it('the same key with another body is a conflict that stops the batch, naming the event', () => {
    assert.deepEqual(planIdempotency([ev('p', 'new'), ev('p', 'k', 'other')], lookup), { conflict: { index: 1, key: 'k' } });
    assert.deepEqual(planIdempotency([ev('p', 'x', 'a'), ev('p', 'x', 'b')], lookup), { conflict: { index: 1, key: 'x' } });
  });
});
