// The Couchbase document layout's pure logic, without a cluster: key building, the waiting lane's
// order and picks, the limits, and the conflict retry loop.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Keys, nameKeyPart, minuteOf } from '../../src/store/couchbase/keys.js';
import { insertWaiting, newQueueDoc, pickClaimable, removeWaiting, roomToStart, hasWaitingKey, type WaitEntry } from '../../src/store/couchbase/queue-doc.js';
import { retryOnConflict } from '../../src/store/couchbase/retry.js';

const entry = (id: string, p = 0, r = 0, over: Partial<WaitEntry> = {}) => ({ id, p, r, st: 'ready' as const, w: null, k: null, sr: false, ...over });

describe('Couchbase keys', () => {
  it('prefix every key, so installations sharing a bucket never meet', () => {
    const a = new Keys('one'); const b = new Keys('two');
    for (const k of [a.meta(), a.queue('q'), a.task('t'), a.worker('w'), a.failed('q'), a.finished('q', 60_000), a.throughput(0), a.counter('c'), a.event('e'), a.workers()]) {
      assert.ok(k.startsWith('one:'), k);
    }
    assert.notEqual(a.queue('q'), b.queue('q'));
    assert.notEqual(a.queue('q'), a.failed('q'));
  });

  it('hash queue names too long for a 250-byte key, and keep short ones readable', () => {
    assert.equal(nameKeyPart('emails'), 'emails');
    const long = 'é'.repeat(200);
    const part = nameKeyPart(long);
    assert.match(part, /^#[0-9a-f]{64}$/);
    assert.notEqual(nameKeyPart(long), nameKeyPart(`${long}x`));
    assert.ok(Buffer.byteLength(new Keys('switchyard').finished(long, 1_800_000_000_000)) < 250);
  });

  it('round times down to their minute', () => {
    assert.equal(minuteOf(1_800_000_059_999), 1_800_000_000_000);
    assert.equal(minuteOf(1_800_000_060_000), 1_800_000_060_000);
  });
});

describe('Couchbase waiting lane', () => {
  it('keeps claim order: priority first, then due time, then arrival', () => {
    const q = newQueueDoc('q', true);
    insertWaiting(q, entry('late', 0, 5));
    insertWaiting(q, entry('first', 0, 1));
    insertWaiting(q, entry('urgent', 9, 9));
    insertWaiting(q, entry('second', 0, 1));
    assert.deepEqual(q.waiting.map((e) => e.id), ['urgent', 'first', 'second', 'late']);
    assert.deepEqual(q.waiting.map((e) => e.s), [3, 2, 4, 1]);
    assert.equal(removeWaiting(q, 'first')?.id, 'first');
    assert.equal(removeWaiting(q, 'first'), undefined);
    assert.deepEqual(q.waiting.map((e) => e.id), ['urgent', 'second', 'late']);
  });

  it('picks only due tasks meant for this worker, one per singularlyRun key', () => {
    const q = newQueueDoc('q', true);
    insertWaiting(q, entry('future', 0, 100, { st: 'scheduled' }));
    insertWaiting(q, entry('returned-early', 0, 150));
    insertWaiting(q, entry('for-b', 0, 1, { w: 'b' }));
    insertWaiting(q, entry('k1', 0, 2, { k: 'K', sr: true }));
    insertWaiting(q, entry('k2', 0, 3, { k: 'K', sr: true }));
    insertWaiting(q, entry('free', 0, 4));
    assert.deepEqual(pickClaimable(q, 'a', 10, 50).map((e) => e.id), ['k1', 'free', 'returned-early'], 'a ready task is claimable whatever its due time');
    assert.deepEqual(pickClaimable(q, 'b', 1, 50).map((e) => e.id), ['for-b']);
    q.started.x = { w: 'a', lease: 0, k: 'K', sr: true, at: 0 };
    assert.deepEqual(pickClaimable(q, 'a', 10, 200).map((e) => e.id), ['free', 'future', 'returned-early']);
    assert.ok(hasWaitingKey(q, 'K'));
    assert.ok(!hasWaitingKey(q, 'other'));
  });

  it('limits room by pause, concurrency and a one-second token bucket', () => {
    const q = newQueueDoc('q', true);
    assert.equal(roomToStart(q, 7, 0).room, 7);
    q.policy.concurrency = 3; q.counts.started = 2;
    assert.equal(roomToStart(q, 7, 0).room, 1);
    q.policy.concurrency = null; q.policy.rateLimit = 4;
    assert.deepEqual(roomToStart(q, 7, 1000), { room: 4, tokens: 4 });
    q.rate = { tokens: 0, atMs: 1000 };
    assert.equal(roomToStart(q, 7, 1250).room, 1);
    assert.equal(roomToStart(q, 7, 9000).room, 4, 'the bucket holds at most one second');
    q.policy.paused = true;
    assert.equal(roomToStart(q, 7, 9000).room, 0);
  });
});

describe('Couchbase conflict retry loop', () => {
  const noSleep = { attempts: 5, budgetMs: 60_000, baseDelayMs: 1, maxDelayMs: 4, sleep: async () => undefined, random: () => 0.5 };

  it('re-runs a unit that lost a race until it wins', async () => {
    let runs = 0;
    const out = await retryOnConflict(async () => { if (++runs < 3) throw new Error('conflict'); return 'won'; }, (e) => (e as Error).message === 'conflict', noSleep);
    assert.deepEqual([out, runs], ['won', 3]);
  });

  it('gives up after its attempts, and never retries other errors', async () => {
    let runs = 0;
    await assert.rejects(retryOnConflict(async () => { runs++; throw new Error('conflict'); }, () => true, noSleep), /conflict/);
    assert.equal(runs, 5);
    runs = 0;
    await assert.rejects(retryOnConflict(async () => { runs++; throw new Error('bug'); }, (e) => (e as Error).message === 'conflict', noSleep), /bug/);
    assert.equal(runs, 1);
  });

  it('stops when its time budget is spent', async () => {
    let clock = 0; let runs = 0;
    await assert.rejects(retryOnConflict(async () => { runs++; clock += 400; throw new Error('c'); }, () => true,
      { attempts: 100, budgetMs: 1000, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => undefined, now: () => clock }));
    assert.equal(runs, 3);
  });

  it('backs off exponentially with full jitter, capped', async () => {
    const waits: number[] = [];
    await assert.rejects(retryOnConflict(async () => { throw new Error('c'); }, () => true,
      { attempts: 6, budgetMs: 60_000, baseDelayMs: 2, maxDelayMs: 10, sleep: async (ms) => { waits.push(ms); }, random: () => 0.999 }));
    assert.deepEqual(waits, [1, 3, 7, 9, 9]);
  });
});
