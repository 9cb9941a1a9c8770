// What routing leaves behind, over HTTP on the store under test: what-if over the sample of recent
// events, unrouted events kept, listed, replayed and deleted, per-interest match counts, and the
// warning for an interest that took nothing in the last hour while events flowed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { client } from '../helpers/http.js';
import { until } from '../helpers/until.js';

const publish = (s: TestServer, data: Record<string, unknown>, publisher = 'shop') => s.api.call('PUT', '/task', { publisher, data });

describe('what-if over the sample of recent events', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer(); });
  after(() => s.stop());

  it('says which sampled events a draft would gain and lose, and what would go nowhere', async () => {
    await s.api.call('PUT', '/interest', { queue: 'mail', interests: { type: '^userCreated$' } });
    await s.api.call('PUT', '/interest', { queue: 'points', interests: [{ type: '^userCreated$' }] });
    for (let i = 0; i < 10; i++) await publish(s, { type: 'userCreated', n: i });
    for (let i = 0; i < 5; i++) await publish(s, { type: 'orderPlaced', n: i });
    for (let i = 0; i < 3; i++) await publish(s, { type: 'noise', n: i });
    const wider = await s.api.call('POST', '/interest/what-if', { queue: 'mail', interests: { type: '^(userCreated|orderPlaced)$' } });
    assert.equal(wider.status, 200);
    assert.deepEqual({ ...wider.body, gained: wider.body.gained.count, lost: wider.body.lost.count, sampleFrom: undefined, sampleTo: undefined }, {
      queue: 'mail', sampled: 18, matchedNow: 10, matchedDraft: 15, gained: 5, lost: 0, unrouted: { now: 8, draft: 3 }, sampleFrom: undefined, sampleTo: undefined,
    });
    assert.equal(wider.body.gained.examples.length, 5);
    assert.ok(wider.body.gained.examples.every((e: { data: { type: string }; interest: { field: string } }) => e.data.type === 'orderPlaced' && e.interest.field === 'type'));
    assert.ok(wider.body.sampleFrom <= wider.body.sampleTo);

    // Nothing for mail: it loses its ten, and they still reach points, so nothing more goes nowhere.
    const none = (await s.api.call('POST', '/interest/what-if', { queue: 'mail', interests: null, examples: 2 })).body;
    assert.deepEqual([none.matchedDraft, none.lost.count, none.lost.examples.length, none.unrouted], [0, 10, 2, { now: 8, draft: 8 }]);
    // A new queue's clauses: the matched clause is named.
    const fresh = (await s.api.call('POST', '/interest/what-if', { queue: 'audit', interests: [{ type: { equals: 'noise' } }] })).body;
    assert.deepEqual([fresh.matchedNow, fresh.gained.count, fresh.unrouted], [0, 3, { now: 8, draft: 5 }]);
    assert.equal(fresh.gained.examples[0].interest.clause, 0);
    // Nothing was changed by asking.
    assert.deepEqual((await s.api.call('GET', '/status?interests=1')).body.interests.mail, { type: '^userCreated$' });
  });

  it('a refused draft is a 400 naming the pattern; the sample keeps the newest SWITCHYARD_SAMPLE_EVENTS', async () => {
    const bad = await s.api.call('POST', '/interest/what-if', { queue: 'mail', interests: { type: '(a)\\1' } });
    assert.deepEqual([bad.status, bad.body.code], [400, 'pattern_invalid']);
    assert.equal((await s.api.call('POST', '/interest/what-if', { queue: 'mail' })).status, 400);
    const small = await startTestServer({ SWITCHYARD_SAMPLE_EVENTS: '20' });
    try {
      for (let i = 0; i < 30; i++) await publish(small, { type: 'userCreated', n: i });
      const r = (await small.api.call('POST', '/interest/what-if', { queue: 'q', interests: { n: '^29$' } })).body;
      // A store may trim in blocks of 100 (Couchbase), never below what it keeps.
      assert.ok(small.store.kind === 'sqlite' ? r.sampled === 20 : r.sampled >= 20, `sampled ${r.sampled}`);
      assert.equal(r.gained.count, 1, 'the newest event is in the sample');
    } finally { await small.stop(); }
  });

  it('a node adds at most SWITCHYARD_SAMPLE_PER_SECOND of the events it routed in a second', async () => {
    const few = await startTestServer({ SWITCHYARD_SAMPLE_PER_SECOND: '2' });
    try {
      await few.api.call('PUT', '/interest', { queue: 'mail', interests: { type: '^userCreated$' } });
      // One batch is offered to the sample at once, so one flush chooses among all ten.
      const events = Array.from({ length: 10 }, (_, n) => ({ publisher: 'shop', data: { type: 'userCreated', n } }));
      assert.equal((await few.api.call('PUT', '/tasks', { events })).status, 201);
      const sampled = await until('the flush', async () => {
        const n = (await few.api.call('POST', '/interest/what-if', { queue: 'q', interests: { n: '^\\d$' } })).body.sampled as number;
        return n > 0 ? n : null;
      });
      assert.equal(sampled, 2);
    } finally { await few.stop(); }
  });
});

describe('unrouted events', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer(); });
  after(() => s.stop());

  it('are kept, listed with filters and counted, replayed through the interests as they are now, and deleted', async () => {
    const first = await publish(s, { type: 'refund', shop: { id: 7 } }, 'billing');
    assert.deepEqual([first.status, first.body.status], [200, 'discarded']);
    await publish(s, { type: 'refund', shop: { id: 8 } }, 'billing');
    await publish(s, { type: 'chargeback' }, 'bank');
    const all = (await s.api.call('GET', '/unrouted')).body;
    assert.deepEqual([all.total, all.keepSeconds], [3, 86400]);
    assert.deepEqual(all.events.map((e: { data: { type: string } }) => e.data.type), ['chargeback', 'refund', 'refund'], 'newest first');
    assert.equal(all.events[2].eventId, first.body.eventId);
    assert.equal((await s.api.call('GET', '/unrouted?publisher=bank')).body.total, 1);
    assert.deepEqual((await s.api.call('GET', '/unrouted?field=shop.id&value=8')).body.events.map((e: { data: { shop: { id: number } } }) => e.data.shop.id), [8]);
    assert.equal((await s.api.call('GET', '/unrouted?search=refund&limit=1&offset=1')).body.events.length, 1);
    assert.equal((await s.api.call('GET', '/status')).body.unrouted, 3);
    assert.match((await s.api.call('GET', '/metrics')).text, /^switchyard_unrouted_events 3$/m);

    // A queue for refunds now: replaying one event routes it, under its own event id.
    await s.api.call('PUT', '/interest', { queue: 'refunds', interests: { type: '^refund$' } });
    const one = await s.api.call('POST', '/unrouted/replay', { eventIds: [first.body.eventId] });
    assert.equal(one.status, 200);
    assert.deepEqual([one.body.replayed, one.body.routed, one.body.stillUnrouted], [1, 1, 0]);
    assert.equal(one.body.events[0].eventId, first.body.eventId);
    const task = (await s.api.call('GET', `/status?task=${one.body.events[0].tasks[0].taskId}`)).body.task;
    assert.deepEqual([task.queue, task.eventId, task.data.shop.id], ['refunds', first.body.eventId, 7]);
    // All the rest: the refund is routed, the chargeback is kept again.
    const rest = (await s.api.call('POST', '/unrouted/replay', { all: true })).body;
    assert.deepEqual([rest.replayed, rest.routed, rest.stillUnrouted], [2, 1, 1]);
    assert.deepEqual((await s.api.call('GET', '/unrouted')).body.events.map((e: { data: { type: string } }) => e.data.type), ['chargeback']);
    assert.equal((await s.api.call('GET', '/status?queue=refunds')).body.counts.ready, 2);

    assert.deepEqual((await s.api.call('DELETE', '/unrouted?all=true&publisher=bank')).body, { deleted: 1 });
    assert.equal((await s.api.call('GET', '/unrouted')).body.total, 0);
  });

  it('deleting many kept events removes them in parts: publishes made meanwhile are answered before it', async () => {
    const many = 9000;
    for (let i = 0; i < many; i += 500) {
      const r = await s.api.call('PUT', '/tasks', { events: Array.from({ length: 500 }, (_, k) => ({ publisher: 'bulk', data: { type: 'nobody', n: i + k } })) });
      assert.equal(r.status, 200);
    }
    await s.api.call('PUT', '/interest', { queue: 'beside', interests: { type: '^beside$' } });
    let answered = false;
    const deleting = s.api.call('DELETE', '/unrouted?all=true&publisher=bulk').then((r) => { answered = true; return r; });
    let meanwhile = 0;
    while (!answered) {
      assert.equal((await publish(s, { type: 'beside' })).status, 201);
      if (!answered) meanwhile++;
    }
    assert.deepEqual((await deleting).body, { deleted: many });
    assert.ok(meanwhile >= 2, `${meanwhile} publishes answered while the delete ran`);
  });

  it('two replays of one event at once route it once', async () => {
    const e = (await publish(s, { type: 'twice' })).body.eventId as string;
    await s.api.call('PUT', '/interest', { queue: 'twice', interests: { type: '^twice$' } });
    const [a, b] = await Promise.all([1, 2].map(() => s.api.call('POST', '/unrouted/replay', { eventIds: [e] })));
    assert.equal(a!.body.routed + b!.body.routed, 1);
    assert.equal((await s.api.call('GET', '/status?queue=twice')).body.counts.ready, 1);
  });

  it('bad selections are 400s that change nothing; reading them needs a token for every queue', async () => {
    await publish(s, { type: 'kept-for-this-test' });
    for (const body of [{}, { eventIds: ['x'], all: true }, { eventIds: ['x'], publisher: 'p' }, { all: true, field: 'a' }, { all: 'yes' }]) {
      const r = await s.api.call('POST', '/unrouted/replay', body);
      assert.deepEqual([r.status, r.body.code], [400, 'invalid_input'], JSON.stringify(body));
    }
    assert.equal((await s.api.call('DELETE', '/unrouted')).status, 400);
    assert.equal((await s.api.call('GET', '/unrouted')).body.total, 1);
    const admin = client(s.url, (await s.api.call('PUT', '/token', { name: 'ops', role: 'admin' })).body.token);
    const reader = client(s.url, (await admin.call('PUT', '/token', { name: 'viewer', role: 'read' })).body.token);
    const limited = client(s.url, (await admin.call('PUT', '/token', { name: 'mailer', role: 'read', queues: ['mail'] })).body.token);
    const publisher = client(s.url, (await admin.call('PUT', '/token', { name: 'pub', role: 'publish' })).body.token);
    assert.equal((await reader.call('GET', '/unrouted')).status, 200);
    for (const path of ['/unrouted', '/unrouted?queue=mail']) assert.equal((await limited.call('GET', path)).status, 403, path);
    assert.equal((await limited.call('POST', '/interest/what-if', { queue: 'mail', interests: '*' })).status, 403);
    assert.equal((await reader.call('POST', '/interest/what-if', { queue: 'mail', interests: '*' })).status, 200);
    assert.equal((await publisher.call('POST', '/interest/what-if', { queue: 'mail', interests: '*' })).status, 403);
    assert.equal((await reader.call('POST', '/unrouted/replay', { all: true })).status, 403);
  });

  it('with SWITCHYARD_UNROUTED_KEEP=0 nothing is kept', async () => {
    const off = await startTestServer({ SWITCHYARD_UNROUTED_KEEP: '0' });
    try {
      assert.equal((await publish(off, { type: 'gone' })).body.status, 'discarded');
      assert.equal((await off.api.call('GET', '/unrouted')).body.total, 0);
    } finally { await off.stop(); }
  });
});

describe('interest match counts and the unmatched warning', () => {
  let s: TestServer;
  let shiftMs = 0;
  before(async () => { s = await startTestServer({}, { now: () => Date.now() + shiftMs }); });
  after(() => s.stop());

  it('counts each interest on every node, and warns of one that took nothing in the last hour while events flowed', async () => {
    await s.api.call('PUT', '/interest', { queue: 'mail', interests: { type: '^userCreated$', 'user.email': '@example\\.com$' } });
    await s.api.call('PUT', '/interest', { queue: 'stale', interests: [{ type: { equals: 'never' } }] });
    await s.api.call('PUT', '/worker', { queues: ['mail', 'stale'] });
    for (let i = 0; i < 3; i++) await publish(s, { type: 'userCreated' });
    const matches = await until('match counts flushed', async () => {
      const m = (await s.api.call('GET', '/status?interests=1')).body.matches;
      return m.mail?.['{"type":"^userCreated$"}']?.count === 3 ? m : null;
    });
    assert.equal(matches.mail['{"user.email":"@example\\\\.com$"}'], undefined, 'the first pair that matches takes the event');
    assert.equal(matches.stale, undefined);
    const unmatched = async () => ((await s.api.call('GET', '/status')).body.warnings as { kind: string; queue: string; interest: string }[]).filter((w) => w.kind === 'unmatched');
    assert.deepEqual(await unmatched(), [], 'interests set within the hour had no hour to match in');

    // Two hours on: mail still takes events, stale has taken none.
    shiftMs = 2 * 3_600_000;
    await publish(s, { type: 'userCreated', user: { email: 'a@example.com' } });
    const warned = await until('the unmatched warnings', async () => {
      const w = await unmatched();
      return w.some((x) => x.queue === 'stale') && !w.some((x) => x.interest === '{"type":"^userCreated$"}') ? w : null;
    });
    assert.deepEqual(warned.map((w) => [w.queue, w.interest]).sort(), [['mail', '{"user.email":"@example\\\\.com$"}'], ['stale', '{"type":{"equals":"never"}}']]);
    const stale = warned.find((w) => w.queue === 'stale') as unknown as { lastMatchAt: number | null; eventsLastHour: number };
    assert.deepEqual([stale.lastMatchAt, stale.eventsLastHour > 0], [null, true]);
  });
});
