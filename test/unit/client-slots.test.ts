// The SDK Worker's claim planning (src/client/slots.ts): how many tasks a claim asks for, from which
// queues, and the prefetch it sizes from the handlers' time and the broker's round trip.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Slots, type Held } from '../../src/client/slots.js';
import type { Task } from '../../src/client/types.js';

const held = (queue: string, n: number): Held[] => Array.from({ length: n }, (_, i) => ({ task: { taskId: `${queue}-${i}`, queue } as Task, workerId: 'w' }));

/** Starts every task it can, ends each after ms, as a worker whose handlers take that long would. */
function runAll(slots: Slots, name: string, ms: number): void {
  const q = slots.get(name)!;
  for (let h; (h = slots.startable(q));) { void h; slots.ended(q, ms); }
}

describe('client slots', () => {
  it('asks for the tightest queue\'s room, holding back what claims in flight may bring', () => {
    const slots = new Slots([{ name: 'a', concurrency: 2 }, { name: 'b', concurrency: 5 }], 0);
    const first = slots.ask()!;
    assert.deepEqual(first, { count: 2, queues: 'a,b' }, 'the broker may fill them all from a');
    assert.equal(slots.ask(), null, 'nothing more while that claim travels');
    slots.answered(first, held('a', 2));
    const q = slots.get('a')!;
    assert.ok(slots.startable(q) && slots.startable(q) && !slots.startable(q), 'a starts two, its concurrency');
    assert.deepEqual(slots.ask(), { count: 5, queues: 'b' }, 'a is full: only b, for its room');
  });

  it('sizes the prefetch to what the handlers get through in three round trips; a fixed one stays', () => {
    assert.equal(new Slots([{ name: 'q', concurrency: 16 }]).ask(1000)!.count, 32, 'before anything is known: concurrency plus as much again');
    const fast = new Slots([{ name: 'q', concurrency: 16 }]);
    const slow = new Slots([{ name: 'q', concurrency: 16 }]);
    const fixed = new Slots([{ name: 'q', concurrency: 16, prefetch: 7 }]);
    for (const [slots, ms] of [[fast, 0.01], [slow, 100], [fixed, 0.01]] as const) {
      const ask = slots.ask(1000);
      if (ask) slots.answered(ask, held('q', ask.count));
      runAll(slots, 'q', ms);
      slots.roundTrip(10);
    }
    assert.equal(fast.ask(1000)!.count, 16 + 500, 'instant handlers: the most it holds (500) plus its slots');
    // 16 slots / 100 ms × 10 ms × 3 round trips = 4.8 tasks.
    assert.equal(slow.ask(1000)!.count, 16 + 4, 'slow handlers: a few');
    assert.equal(fixed.ask(1000)!.count, 16 + 7);
    assert.equal(new Slots([{ name: 'q', concurrency: 4 }]).ask(2)!.count, 2, 'never more than the claim may carry');
  });
});
