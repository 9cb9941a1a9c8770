// Long-poll wake-ups: a publish wakes as many waiting claims as it made ready tasks, oldest first.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Waiters } from '../../src/broker/waiters.js';

const settledSoon = async (ps: Promise<unknown>[]) => {
  const done = ps.map(() => false);
  ps.forEach((p, i) => void p.then(() => { done[i] = true; }));
  await new Promise((r) => setTimeout(r, 20));
  return done;
};

describe('waiters', () => {
  it('offer wakes one waiter of a queue per ready task, longest waiting first, and no waiter of another queue', async () => {
    const w = new Waiters();
    const far = Date.now() + 60_000;
    const a = [w.wait(['q'], far), w.wait(['q'], far), w.wait(['other', 'q'], far)];
    const other = w.wait(['other'], far);
    w.offer(new Map([['q', 1]]));
    assert.deepEqual(await settledSoon([...a, other]), [true, false, false, false]);
    w.offer(new Map([['q', 5]]));
    assert.deepEqual(await settledSoon([...a, other]), [true, true, true, false]);
    w.close();
    await other;
  });

  it('a claim that looked before an offer does not sleep through it', async () => {
    const w = new Waiters();
    const mark = w.mark();
    w.offer(new Map([['q', 1]]));
    const late = w.wait(['q'], Date.now() + 60_000, mark);
    assert.deepEqual(await settledSoon([late]), [true]);
    w.close();
  });
});
