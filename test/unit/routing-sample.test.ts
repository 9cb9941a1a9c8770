// The routing sample's flush over a real SQLite store: at most samplePerSecond events a second from
// a node (SWITCHYARD_SAMPLE_PER_SECOND) however many it routed (a flush of 1,000 rows stalled the event loop), chosen over all of
// them rather than the first ones.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { systemClock } from '../../src/clock.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { DEFAULTS, RoutingRecords } from '../../src/broker/routing-records.js';
import type { NewEvent } from '../../src/model.js';
import { tempDir } from '../helpers/server.js';

const event = (n: number): NewEvent => ({
  eventId: `e${n}`, publisher: 'p', data: { n }, runAtMs: 0, priority: 0, scope: 'any', singularlyEnqueue: false, singularlyRun: false,
  uniqueKey: null, maxAttempts: null, routes: [], idempotency: null, traceparent: null, pushUrl: null,
});

describe('routing sample', () => {
  for (const perSecond of [DEFAULTS.samplePerSecond, 7]) it(`keeps at most ${perSecond} of a second's events, drawn from all of them`, async () => {
    const dir = tempDir();
    const store = openSqliteStore(path.join(dir, 'sample.db'), { sync: 'full', clock: systemClock });
    try {
      const records = new RoutingRecords(store, { ...DEFAULTS, samplePerSecond: perSecond });
      const routed = 10 * perSecond;
      for (let n = 0; n < routed; n++) records.sampled([event(n)], 1_000 + n);
      await records.flush();
      const kept = await store.readEvents('sample', 0);
      assert.equal(kept.length, perSecond);
      // A reservoir over all ten blocks, not the first block alone (odds of that: below one in a billion).
      assert.ok(kept.some((e) => (e.data as { n: number }).n >= perSecond), 'drawn beyond the first events');
      await records.flush();
      assert.equal((await store.readEvents('sample', 0)).length, perSecond, 'nothing new routed, nothing new kept');
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
