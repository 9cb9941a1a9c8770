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

  it('the tick asks the store what is ready and wakes only that many waiters, of those queues', async () => {
    const answers = [new Map([['q', 1], ['r', 0]])];
    let asked = 0;
    let askedOnce: () => void = () => undefined;
    const second = new Promise<void>((resolve) => { askedOnce = resolve; });
    const w = new Waiters(5, async (queues) => {
      asked++;
      if (asked >= 2) askedOnce();
      assert.deepEqual([...queues].sort(), ['q', 'r']);
      return answers.shift() ?? new Map();
    });
    const far = Date.now() + 60_000;
    const woken = [0, 0];
    const q = [w.wait(['q'], far), w.wait(['q'], far), w.wait(['q'], far)];
    const r = [w.wait(['r'], far), w.wait(['r'], far)];
    q.forEach((p) => void p.then(() => { woken[0]!++; }));
    r.forEach((p) => void p.then(() => { woken[1]!++; }));
    await second;
    await Promise.resolve();
    assert.deepEqual(woken, [1, 0], 'one ready task in q: one of its waiters; none of r\'s');
    w.close();
    await Promise.all([...q, ...r]);
  });

  it('a claim that looked before an offer does not sleep through it', async () => {
    const w = new Waiters();
    const mark = w.mark();
    w.offer(new Map([['q', 1]]));
    const late = w.wait(['q'], Date.now() + 60_000, mark);
    assert.deepEqual(await settledSoon([late]), [true]);
    w.close();
  });

  it('a woken waiter of several queues leaves every one of them: it takes no later offer from another queue', async () => {
    const w = new Waiters();
    const far = Date.now() + 60_000;
    const both = w.wait(['a', 'b'], far);
    const onlyB = w.wait(['b'], far);
    w.offer(new Map([['a', 1]]));
    assert.deepEqual(await settledSoon([both, onlyB]), [true, false]);
    w.offer(new Map([['b', 1]]));
    assert.deepEqual(await settledSoon([onlyB]), [true], 'the one ready task of b wakes its waiter still waiting');
    const c = w.wait(['c', 'd'], far);
    w.notify(['c', 'd']);
    assert.deepEqual(await settledSoon([c]), [true]);
    assert.equal(w.size, 0);
    w.close();
  });

  it('remembers a bounded number of queue names, and a claim that looked before a forgotten notification still does not sleep through it', async () => {
    const w = new Waiters();
    const mark = w.mark();
    w.offer(new Map([['q', 1]]));
    for (let i = 0; i < 50_000; i++) w.notify([`tube-${i}`]);
    assert.ok(w.remembered <= 2 * 4096, `${w.remembered} names remembered`);
    const late = w.wait(['q'], Date.now() + 60_000, mark);
    assert.deepEqual(await settledSoon([late]), [true], 'q was notified after the mark, though its entry is gone');
    const fresh = w.wait(['q'], Date.now() + 60_000, w.mark());
    assert.deepEqual(await settledSoon([fresh]), [false], 'a claim that looked after everything sleeps until the next offer');
    w.offer(new Map([['q', 1]]));
    assert.deepEqual(await settledSoon([fresh]), [true]);
    w.close();
  });
});
