// The one counting rule (lifecycle/counts.ts): what each move counts, for both stores.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { countsOfMove, workOfMove } from '../../src/lifecycle/counts.js';

describe('counting moves', () => {
  it('a new task is published where it lands; a deleted one leaves its state', () => {
    assert.deepEqual(countsOfMove(null, { queue: 'a', state: 'ready' }), { states: [{ queue: 'a', state: 'ready', by: 1 }], work: 'published' });
    assert.deepEqual(countsOfMove({ queue: 'a', state: 'failed' }, null), { states: [{ queue: 'a', state: 'failed', by: -1 }], work: null });
  });

  it('work is counted on entering and leaving started, and nowhere else', () => {
    assert.equal(workOfMove('ready', 'started'), 'started');
    assert.equal(workOfMove('started', 'succeeded'), 'succeeded');
    assert.equal(workOfMove('started', 'failed'), 'failed');
    assert.equal(workOfMove('started', 'scheduled'), 'retried');
    assert.equal(workOfMove('started', 'ready'), 'retried');
    assert.equal(workOfMove('started', 'cancelled'), null);
    assert.equal(workOfMove('scheduled', 'ready'), null);
    assert.equal(workOfMove('failed', 'ready'), null);
    assert.equal(workOfMove('ready', 'cancelled'), null);
  });

  it('a move into another queue counts in both, and its work in the queue it lands in', () => {
    assert.deepEqual(countsOfMove({ queue: 'a', state: 'failed' }, { queue: 'b', state: 'ready' }).states,
      [{ queue: 'a', state: 'failed', by: -1 }, { queue: 'b', state: 'ready', by: 1 }]);
  });

  it('staying where it is counts nothing', () => {
    assert.deepEqual(countsOfMove({ queue: 'a', state: 'started' }, { queue: 'a', state: 'started' }), { states: [], work: null });
  });
});
