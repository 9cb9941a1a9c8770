// Publish copies and claim rules of lifecycle/: decided once here, applied by both stores.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planCopies } from '../../src/lifecycle/copies.js';
import { claimOrder, mayTakeCopy, singularRunGate } from '../../src/lifecycle/claims.js';

const ev = (over: Partial<{ scope: 'any' | 'all'; singularlyEnqueue: boolean; uniqueKey: string | null }> = {}) =>
  ({ scope: 'any' as const, singularlyEnqueue: false, uniqueKey: null, ...over });
const queue = (keyWaiting: boolean, workers: string[]) => {
  const asked = { key: 0, workers: 0 };
  return { asked, q: { keyWaiting: () => (asked.key++, keyWaiting), workers: () => (asked.workers++, workers) } };
};

describe('publish copies', () => {
  it('one copy for anyone by default, without asking the store about workers or keys', () => {
    const { asked, q } = queue(true, ['w1']);
    assert.deepEqual(planCopies(ev(), q), { deduplicated: false, targets: [null] });
    assert.deepEqual(asked, { key: 0, workers: 0 });
  });

  it('scope all: one copy per registered worker in id order, one for anyone when none is registered', () => {
    assert.deepEqual(planCopies(ev({ scope: 'all' }), queue(false, ['wb', 'wa']).q), { deduplicated: false, targets: ['wa', 'wb'] });
    assert.deepEqual(planCopies(ev({ scope: 'all' }), queue(false, []).q), { deduplicated: false, targets: [null] });
  });

  it('singularlyEnqueue skips a queue where a task with the key waits; a keyless event is never skipped', () => {
    assert.deepEqual(planCopies(ev({ singularlyEnqueue: true, uniqueKey: 'k' }), queue(true, []).q), { deduplicated: true });
    assert.deepEqual(planCopies(ev({ singularlyEnqueue: true, uniqueKey: 'k' }), queue(false, []).q), { deduplicated: false, targets: [null] });
    assert.deepEqual(planCopies(ev({ singularlyEnqueue: true }), queue(true, []).q), { deduplicated: false, targets: [null] });
  });
});

describe('claim rules', () => {
  it('claim order: priority first, then due time, then arrival', () => {
    const tasks = [
      { id: 'late', priority: 0, runAtMs: 20, seq: 1 },
      { id: 'urgent', priority: 5, runAtMs: 99, seq: 9 },
      { id: 'second', priority: 0, runAtMs: 10, seq: 3 },
      { id: 'first', priority: 0, runAtMs: 10, seq: 2 },
    ];
    assert.deepEqual(tasks.sort(claimOrder).map((t) => t.id), ['urgent', 'first', 'second', 'late']);
  });

  it('a copy made for one worker is that worker\'s alone', () => {
    assert.deepEqual([mayTakeCopy(null, 'a'), mayTakeCopy('a', 'a'), mayTakeCopy('b', 'a')], [true, true, false]);
  });

  it('singularlyRun: one task per key per claim, none while the store has the key started', () => {
    const gate = singularRunGate((key) => key === 'busy');
    const asked = [
      { singularlyRun: true, uniqueKey: 'k' }, { singularlyRun: true, uniqueKey: 'k' }, { singularlyRun: true, uniqueKey: 'busy' },
      { singularlyRun: false, uniqueKey: 'k' }, { singularlyRun: true, uniqueKey: null },
    ].map(gate);
    assert.deepEqual(asked, [true, false, false, true, true]);
  });
});
