// The Couchbase document layout's pure logic, without a cluster: key building, the segmented waiting
// lanes, claim filtering, the limits, and the conflict retry loop.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Keys, nameKeyPart, minuteOf } from '../../src/store/couchbase/keys.js';
import { claimFilter, claimPlan, countWaitingKey, hasWaitingKey, newQueueDoc, newShardDoc, STEAL_AFTER_MS } from '../../src/store/couchbase/queue-doc.js';
import { roomToStart as roomOf } from '../../src/lifecycle/limits.js';
import type { QueueDoc } from '../../src/store/couchbase/queue-doc.js';

const roomToStart = (q: QueueDoc, wanted: number, nowMs: number) => roomOf({ policy: q.policy, started: q.counts.started, rate: q.rate }, wanted, nowMs);
import { dueOrder, failedOrder, FAILED_SEGMENT_MAX, Lane, readyOrder, SEGMENT_MAX, type FailedEntry, type Segment, type SegmentRef, type WaitEntry } from '../../src/store/couchbase/lane.js';
import { retryOnConflict } from '../../src/store/couchbase/retry.js';


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

/** A lane over a Map, counting segment reads, as the driver's lane is over a transaction. */
function memoryLane(order = readyOrder) {
  const docs = new Map<number, Segment>();
  const refs: SegmentRef[] = [];
  let next = 1; let reads = 0;
  const lane = new Lane(refs, order, {
    get: async (id) => { reads++; const d = docs.get(id); return d ? structuredClone(d) : null; },
    put: (id, seg) => { docs.set(id, structuredClone(seg)); },
    remove: (id) => { docs.delete(id); },
    newId: () => next++,
  });
  return { lane, refs, docs, reads: () => reads };
}
let seq = 0;
const entry = (id: string, p = 0, r = 0, over: Partial<WaitEntry> = {}): WaitEntry => ({ id, p, r, s: ++seq, st: 'ready', w: null, k: null, sr: false, ...over });
const ids = async (lane: Lane) => { const out: string[] = []; await lane.scan((e) => void out.push(e.id)); return out; };

describe('Couchbase waiting lanes', () => {
  it('keep claim order: priority first, then due time, then arrival', async () => {
    const { lane } = memoryLane();
    for (const e of [entry('late', 0, 5), entry('first', 0, 1), entry('urgent', 9, 9), entry('second', 0, 1)]) await lane.insert(e);
    assert.deepEqual(await ids(lane), ['urgent', 'first', 'second', 'late']);
    assert.deepEqual((await lane.remove(['first', 'missing'])).map((e) => e.id), ['first']);
    assert.deepEqual(await ids(lane), ['urgent', 'second', 'late']);
  });

  it('split into bounded segments as the backlog grows, and stay in order', async () => {
    const { lane, refs, docs } = memoryLane();
    const n = SEGMENT_MAX * 5;
    // Mixed priorities arrive out of order: inserts land in the middle of the chain too.
    for (let i = 0; i < n; i++) await lane.insert(entry(`t${i}`, i % 3, i));
    assert.equal(lane.size, n);
    assert.ok(refs.length >= 5, `${refs.length} segments`);
    for (const d of docs.values()) assert.ok(d.entries.length <= SEGMENT_MAX, 'no segment over the bound');
    const all: WaitEntry[] = [];
    await lane.scan((e) => void all.push(e));
    for (let i = 1; i < all.length; i++) assert.ok(readyOrder(all[i - 1]!, all[i]!) < 0, `order broken at ${i}`);
    for (const r of refs) assert.equal(r.first.id, docs.get(r.id)!.entries[0]!.id);
  });

  it('a claim reads the first segment only, however long the backlog', async () => {
    const { lane, reads } = memoryLane();
    for (let i = 0; i < SEGMENT_MAX * 8; i++) await lane.insert(entry(`t${i}`));
    const before = reads();
    const picked: string[] = [];
    await lane.scan((e) => (picked.length >= 10 ? false : void picked.push(e.id)));
    assert.equal(reads() - before, 1);
    assert.deepEqual(picked, Array.from({ length: 10 }, (_, i) => `t${i}`));
  });

  it('drop emptied segments, and clear everything', async () => {
    const { lane, refs, docs } = memoryLane(dueOrder);
    for (let i = 0; i < SEGMENT_MAX * 2; i++) await lane.insert(entry(`t${i}`, 0, i));
    const segments = refs.length;
    await lane.remove(Array.from({ length: SEGMENT_MAX }, (_, i) => `t${i}`));
    assert.ok(refs.length < segments);
    assert.equal(lane.first?.id, `t${SEGMENT_MAX}`);
    assert.equal((await lane.clear()).length, SEGMENT_MAX);
    assert.deepEqual([refs.length, docs.size, lane.size], [0, 0, 0]);
  });

  it('a claim takes entries meant for its worker, one per singularlyRun key', () => {
    const q = newQueueDoc('q', true);
    const may = claimFilter(q, 'a');
    assert.deepEqual([entry('for-b', 0, 0, { w: 'b' }), entry('k1', 0, 0, { k: 'K', sr: true }), entry('k2', 0, 0, { k: 'K', sr: true }), entry('free')].map(may), [false, true, false, true]);
    q.started.x = { w: 'a', lease: 0, k: 'K', sr: true, at: 0 };
    assert.equal(claimFilter(q, 'a')(entry('k3', 0, 0, { k: 'K', sr: true })), false);
    countWaitingKey(q, entry('u', 0, 0, { k: 'U' }), 1);
    assert.ok(hasWaitingKey(q, 'U'));
    countWaitingKey(q, entry('u', 0, 0, { k: 'U' }), -1);
    assert.ok(!hasWaitingKey(q, 'U'));
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

/** A failed lane over a Map, counting segment reads. */
function memoryFailedLane() {
  const docs = new Map<number, Segment<FailedEntry>>();
  const refs: SegmentRef<FailedEntry>[] = [];
  let next = 1; let reads = 0;
  const lane = new Lane<FailedEntry>(refs, failedOrder, {
    // Copies of the list (the entries themselves are never changed): a deep copy made this slow.
    get: async (id) => { reads++; const d = docs.get(id); return d ? { entries: [...d.entries] } : null; },
    put: (id, seg) => { docs.set(id, { entries: [...seg.entries] }); },
    remove: (id) => { docs.delete(id); },
    newId: () => next++,
  }, FAILED_SEGMENT_MAX);
  return { lane, refs, docs, reads: () => reads };
}

describe('Couchbase failed lanes', () => {
  it('hold any number of failed tasks in bounded segments, and read a page of the newest from the end', async () => {
    const { lane, refs, docs, reads } = memoryFailedLane();
    const n = FAILED_SEGMENT_MAX * 4 + 7;
    for (let i = 0; i < n; i++) await lane.insert({ id: `t${String(i).padStart(5, '0')}`, at: 1000 + i });
    assert.equal(lane.size, n);
    for (const d of docs.values()) assert.ok(d.entries.length <= FAILED_SEGMENT_MAX, 'no segment over the bound');
    assert.ok(refs.length >= 4, `${refs.length} segments`);
    const before = reads();
    const page = await lane.newest(25);
    assert.deepEqual(page.map((e) => e.at), Array.from({ length: 25 }, (_, i) => 1000 + n - 1 - i), 'newest first');
    assert.equal(reads() - before, 1, 'one page of the newest reads the last segment only');
    assert.equal((await lane.newest(Infinity)).length, n);
  });

  it('remove an entry found by its time, reading one segment; a wrong time falls back to a scan', async () => {
    const { lane, reads } = memoryFailedLane();
    for (let i = 0; i < FAILED_SEGMENT_MAX * 3; i++) await lane.insert({ id: `t${i}`, at: 1000 + i });
    const before = reads();
    assert.equal(await lane.removeAt({ id: 't2000', at: 3000 }), true);
    assert.equal(reads() - before, 1);
    assert.equal(await lane.removeAt({ id: 't5', at: 0 }), true, 'found by the scan');
    assert.equal(await lane.removeAt({ id: 'missing', at: 1500 }), false);
    const left: string[] = [];
    await lane.scan((e) => void left.push(e.id));
    assert.equal(left.length, FAILED_SEGMENT_MAX * 3 - 2);
    assert.ok(!left.includes('t2000') && !left.includes('t5'));
  });

  it('fill from a sorted list leaves room in every segment, and inserts keep the order', async () => {
    const { lane, docs } = memoryFailedLane();
    const sorted = Array.from({ length: 3000 }, (_, i) => ({ id: `t${i}`, at: i * 2 }));
    lane.fill(sorted);
    for (const d of docs.values()) assert.ok(d.entries.length <= FAILED_SEGMENT_MAX / 2);
    await lane.insert({ id: 'between', at: 1001 });
    const all: FailedEntry[] = [];
    await lane.scan((e) => void all.push(e));
    assert.equal(all.length, 3001);
    for (let i = 1; i < all.length; i++) assert.ok(failedOrder(all[i - 1]!, all[i]!) < 0, `order broken at ${i}`);
  });
});

describe('Couchbase conflict retry loop', () => {
  const noSleep = { attempts: 5, budgetMs: 60_000, baseDelayMs: 1, maxDelayMs: 4, sleep: async () => undefined, clock: { nowMs: () => 0, random: () => 0.5 } };

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
      { attempts: 100, budgetMs: 1000, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => undefined, clock: { nowMs: () => clock, random: () => 0.5 } }));
    assert.equal(runs, 3);
  });

  it('backs off exponentially with full jitter, capped', async () => {
    const waits: number[] = [];
    await assert.rejects(retryOnConflict(async () => { throw new Error('c'); }, () => true,
      { attempts: 6, budgetMs: 60_000, baseDelayMs: 2, maxDelayMs: 10, sleep: async (ms) => { waits.push(ms); }, clock: { nowMs: () => 0, random: () => 0.999 } }));
    assert.deepEqual(waits, [1, 3, 7, 9, 9]);
  });
});

describe('Couchbase claim plan over shards', () => {
  const shardWith = (shard: number, first: Partial<WaitEntry> | null): QueueDoc => {
    const q = newShardDoc('hot', shard);
    if (first) q.ready = [{ id: shard, n: 1, first: { id: `t${shard}`, p: 0, r: 0, s: 1, st: 'ready', w: null, k: null, sr: false, ...first } }];
    return q;
  };
  const now = 100_000;

  it('takes over from the shard whose first task waited longest, and only from shards whose tasks waited STEAL_AFTER_MS', () => {
    const docs = [newQueueDoc('hot', true), shardWith(1, null), shardWith(2, { r: now - STEAL_AFTER_MS - 10 }), shardWith(3, { r: now - 5 * STEAL_AFTER_MS }), shardWith(4, { r: now - 10 })];
    const plan = claimPlan(docs, 1, now, false);
    assert.deepEqual([plan.local.length, plan.aged, plan.agedFirst], [0, [3, 2], true], 'nothing local: any aged task comes first');
  });

  it('puts its own shard before an aged one, unless the aged one holds a more urgent task', () => {
    const docs = [newQueueDoc('hot', true), shardWith(1, { r: now - 10 }), shardWith(2, { r: now - 5 * STEAL_AFTER_MS })];
    assert.deepEqual(claimPlan(docs, 1, now, false).local.map((q) => q.shard), [1]);
    assert.equal(claimPlan(docs, 1, now, false).agedFirst, false);
    docs[2] = shardWith(2, { r: now - 5 * STEAL_AFTER_MS, p: 5 });
    assert.equal(claimPlan(docs, 1, now, false).agedFirst, true);
  });
});
