// Routing health: unserved queues and queues starved by workers' priority order, from summaries and workers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { routingWarnings } from '../../src/routing/health.js';
import { DEFAULT_POLICY, type QueueSummary, type WorkerRecord } from '../../src/model.js';
import { emptyCounts } from '../../src/lifecycle/states.js';

const queue = (name: string, over: { ready?: number; scheduled?: number; interests?: boolean; pushUrl?: string; paused?: boolean } = {}): QueueSummary => ({
  name, declared: true, rate: null, interests: over.interests ? '*' : null,
  counts: { ...emptyCounts(), ready: over.ready ?? 0, scheduled: over.scheduled ?? 0 },
  policy: { ...DEFAULT_POLICY, pushUrl: over.pushUrl ?? null, paused: over.paused ?? false },
});
const worker = (queues: string[]): WorkerRecord => ({ workerId: queues.join('+'), name: 'w', queues, registeredAtMs: 0, lastSeenAtMs: 0, tasksDone: 0, tasks: [] });

describe('routing health', () => {
  it('a queue that gets tasks with no worker and no pushUrl is unserved; one that pushes, or gets nothing, is not', () => {
    const w = routingWarnings([queue('fed', { interests: true }), queue('piled', { scheduled: 3 }), queue('pushed', { ready: 5, pushUrl: 'https://x.example/' }), queue('idle')], []);
    assert.deepEqual(w, [{ kind: 'unserved', queue: 'fed', waiting: 0, hasInterests: true }, { kind: 'unserved', queue: 'piled', waiting: 3, hasInterests: false }]);
  });

  it('a queue is starved when every worker serving it has an earlier queue with ready tasks', () => {
    const qs = [queue('high', { ready: 10 }), queue('low', { ready: 4 }), queue('other', { ready: 0 })];
    assert.deepEqual(routingWarnings(qs, [worker(['high', 'low']), worker(['other', 'high', 'low'])]), [{ kind: 'starved', queue: 'low', ready: 4, behind: ['high'] }]);
    assert.deepEqual(routingWarnings(qs, [worker(['high', 'low']), worker(['low'])]), [], 'one worker takes low first');
    assert.deepEqual(routingWarnings([queue('high', { ready: 10, paused: true }), queue('low', { ready: 4 })], [worker(['high', 'low'])]), [], 'a paused queue ahead holds no one up');
  });
});
