// Group commit, the mechanism both stores share: batching, one commit at a time, own outcomes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCommit, type Outcome } from '../../src/store/group-commit.js';
import { until } from '../helpers/until.js';

describe('group commit', () => {
  it('commits the writes of one turn together, one commit at a time, each with its own outcome', async () => {
    const batches: number[][] = [];
    let inFlight = 0;
    const gc = new GroupCommit<number>(async (batch) => {
      inFlight++;
      assert.equal(inFlight, 1, 'never two commits at once');
      batches.push(batch);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return batch.map((n): Outcome => (n < 0 ? { ok: false, error: new Error(`bad ${n}`) } : { ok: true, value: n * 10 }));
    });
    const first = [gc.add<number>(1), gc.add<number>(-2), gc.add<number>(3)];
    await new Promise((r) => setImmediate(r)); // the first commit is under way now
    const later = [gc.add<number>(4), gc.add<number>(5)];
    const settled = await Promise.allSettled([...first, ...later]);
    assert.deepEqual(batches, [[1, -2, 3], [4, 5]]);
    assert.deepEqual(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message)), [10, 'bad -2', 30, 40, 50]);
  });

  it('a commit that throws fails its whole batch, and the next batch still runs', async () => {
    let calls = 0;
    const gc = new GroupCommit<string>((batch) => { if (calls++ === 0) throw new Error('disk gone'); return batch.map((v) => ({ ok: true, value: v })); }, 2);
    const r = await Promise.allSettled([gc.add('a'), gc.add('b'), gc.add('c')]);
    assert.deepEqual(r.map((x) => x.status), ['rejected', 'rejected', 'fulfilled'], 'at most 2 a batch');
  });

  it('a commit may answer part of its batch early; the rest, and a later throw, do not change those answers', async () => {
    let finish!: () => void;
    const rest = new Promise<void>((r) => { finish = r; });
    const gc = new GroupCommit<string>(async (batch, settle) => {
      settle(0, { ok: true, value: `${batch[0]} early` });
      await rest;
      throw new Error('the rest failed');
    });
    let early: unknown = null;
    const a = gc.add<string>('a').then((v) => { early = v; return v; });
    const b = gc.add<string>('b');
    await until('the early answer', () => early !== null, 5000);
    assert.equal(early, 'a early', 'answered while the commit was still under way');
    finish();
    assert.equal(await a, 'a early');
    await assert.rejects(b, /the rest failed/);
  });

  it('a write marked alone commits by itself, in its turn: the writes before and after it form batches of their own', async () => {
    const batches: string[][] = [];
    const gc = new GroupCommit<string>((batch) => { batches.push(batch); return batch.map((v) => ({ ok: !v.startsWith('bad'), value: v, error: new Error(v) }) as Outcome); },
      Infinity, (w) => w.startsWith('alone') || w.startsWith('bad'));
    const r = await Promise.allSettled(['a', 'b', 'alone-1', 'bad-alone', 'c', 'd'].map((w) => gc.add(w)));
    assert.deepEqual(batches, [['a', 'b'], ['alone-1'], ['bad-alone'], ['c', 'd']]);
    assert.deepEqual(r.map((x) => x.status), ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'], 'its failure is its own');
  });
});
