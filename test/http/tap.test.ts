// The live tap with a real SSE client (the eventsource package): every routing decision as it
// happens, by interest, direct or unrouted; filtered by queue and publisher, sampled, redacted; a
// read token limited to queues must name one.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventSource } from 'eventsource';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/until.js';
import { client } from '../helpers/http.js';

type Decision = { eventId: string; publisher: string; data: Record<string, unknown>; queues: { queue: string; interest: unknown }[]; unrouted: boolean };

/** A tap listener: the decisions it has received so far, in order. */
async function tap(url: string, token?: string) {
  const got: Decision[] = [];
  const es = new EventSource(url, token ? { fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, authorization: `Bearer ${token}` } }) } : undefined);
  es.onmessage = (m) => got.push(JSON.parse(m.data) as Decision);
  await new Promise<void>((resolve, reject) => { es.onopen = () => resolve(); es.onerror = (e) => reject(new Error(`tap: ${e.message ?? 'failed'}`)); });
  return { got, close: () => es.close() };
}

describe('the live tap', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer({ SWITCHYARD_TAP_REDACT: 'user.email,card' }); });
  after(() => s.stop());

  it('streams each decision: by which interest, straight into a queue, or wanted by no queue; data redacted', async () => {
    await s.api.interest('mail', { type: '^userCreated$' });
    const all = await tap(`${s.url}/tap`);
    const mailOnly = await tap(`${s.url}/tap?queue=mail`);
    const fromShop = await tap(`${s.url}/tap?publisher=shop`);
    try {
      await s.api.publish({ type: 'userCreated', user: { email: 'ann@example.com', name: 'Ann' }, card: ['4111'] });
      await s.api.call('PUT', '/task', { publisher: 'shop', queue: 'orders', data: { order: 1 } });
      await s.api.publish({ type: 'nobodyCares' });
      await until('three decisions', () => all.got.length === 3);
      assert.deepEqual(all.got.map((d) => [d.queues.map((q) => q.queue), d.unrouted]), [[['mail'], false], [['orders'], false], [[], true]]);
      assert.deepEqual(all.got[0]!.queues[0]!.interest, { field: 'type', keyPattern: 'type', valuePattern: '^userCreated$' });
      assert.equal(all.got[1]!.queues[0]!.interest, 'direct');
      assert.deepEqual(all.got[0]!.data, { type: 'userCreated', user: { email: '[redacted]', name: 'Ann' }, card: '[redacted]' });
      await until('the filtered listeners', () => mailOnly.got.length === 1 && fromShop.got.length === 1);
      assert.deepEqual([mailOnly.got[0]!.eventId, fromShop.got[0]!.publisher], [all.got[0]!.eventId, 'shop']);
      // A replayed publish is not a new decision.
      const once = { publisher: 'p', data: { type: 'userCreated' }, idempotencyKey: 'k1' };
      await s.api.call('PUT', '/task', once);
      await s.api.call('PUT', '/task', once);
      await s.api.publish({ type: 'last' });
      await until('the last decision', () => all.got.at(-1)?.data.type === 'last');
      assert.equal(all.got.length, 5);
    } finally {
      all.close(); mailOnly.close(); fromShop.close();
    }
  });

  it('samples by rate, counted over 400 events', async () => {
    const half = await tap(`${s.url}/tap?rate=0.5&publisher=sampled`);
    const every = await tap(`${s.url}/tap?publisher=sampled`);
    try {
      for (let i = 0; i < 400; i += 100) {
        await s.api.call('PUT', '/tasks', { events: Array.from({ length: 100 }, (_, n) => ({ publisher: 'sampled', data: { n: i + n } })) });
      }
      await until('every decision to the unsampled listener', () => every.got.length === 400);
      await s.api.call('PUT', '/task', { publisher: 'sampled', data: { marker: true } });
      await until('the marker', () => every.got.length === 401);
      // Binomial(400, 0.5): outside 140..260 once in about 10^9 runs.
      assert.ok(half.got.length >= 140 && half.got.length <= 261, `${half.got.length} of 401`);
    } finally {
      half.close(); every.close();
    }
  });

  it('needs a read token; one limited to queues must name one of them', async () => {
    const admin = (await s.api.call('PUT', '/token', { name: 'ops', role: 'admin' })).body.token as string;
    const limited = (await client(s.url, admin).call('PUT', '/token', { name: 'mail-reader', role: 'read', queues: ['mail'] })).body.token as string;
    assert.equal((await fetch(`${s.url}/tap`)).status, 401);
    const noQueue = await fetch(`${s.url}/tap`, { headers: { authorization: `Bearer ${limited}` } });
    assert.equal(noQueue.status, 403);
    const other = await fetch(`${s.url}/tap?queue=orders`, { headers: { authorization: `Bearer ${limited}` } });
    assert.equal(other.status, 403);
    const mine = await tap(`${s.url}/tap?queue=mail`, limited);
    try {
      await client(s.url, admin).publish({ type: 'userCreated' });
      await until('the decision', () => mine.got.length === 1);
    } finally {
      mine.close();
    }
  });
});
