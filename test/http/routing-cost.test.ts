// Routing cannot stall the broker: a pattern too costly to run is refused when it is set, and an
// event whose routing runs over the budget is refused (422) while the broker keeps answering.
import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('routing cost', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer(); });
  after(() => s.stop());

  it('the review\'s pattern (a 100 KB value held the event loop 5.6 s) is refused as too complex', async () => {
    const r = await s.api.call('PUT', '/interest', { queue: 'slow', interests: { k: '(?:[a-z]?){1000}[a-z]{1000}[0-9]' } });
    assert.deepEqual([r.status, r.body.code], [400, 'pattern_invalid']);
    assert.match(r.body.error, /too complex \(program size \d+, limit 200\)/);
  });

  it('an event whose routing runs over budget is refused, stores nothing, and the broker answers meanwhile', async () => {
    // 300 queues of one alternation each, against 10,000 fields: far more than 100 ms of matching.
    for (let i = 0; i < 300; i++) await s.api.interest(`q${i}`, { '^f': `^(a|b|c|d)+x${i}$` });
    const data = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`f${i}`, 'abcd'.repeat(20)]));
    const publishing = s.api.call('PUT', '/task', { publisher: 'p', data });
    const health = await s.api.call('GET', '/healthz');
    const r = await publishing;
    assert.deepEqual([r.status, r.body.code], [422, 'routing_too_costly'], r.text.slice(0, 200));
    assert.equal(health.status, 200);
    assert.equal((await s.api.status()).queues.reduce((n: number, q: { length: number }) => n + q.length, 0), 0, 'nothing stored');
  });
});
