// PUT /task and PUT /tasks over HTTP against the real server.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '../helpers/until.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('publishing', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    await s.api.interest('email', { type: '^userCreated$' });
    await s.api.interest('points', { 'user\\.karma': '^[0-9]+$' });
    await s.api.interest('audit', '*');
    await s.api.interest('flags', { vip: '^true$' });
  });
  after(() => s.stop());

  it('fans an event out to every interested queue, matching nested dot paths, numbers and booleans by text', async () => {
    const r = await s.api.call('PUT', '/task', { publisher: 'host+1', data: { type: 'userCreated', user: { karma: 12 }, vip: true } });
    assert.equal(r.status, 201);
    assert.equal(r.body.status, 'enqueued');
    assert.deepEqual(r.body.tasks.map((t: { queue: string }) => t.queue).sort(), ['audit', 'email', 'flags', 'points']);
    const t = await s.api.status(`?task=${r.body.tasks.find((x: { queue: string }) => x.queue === 'points').taskId}`);
    assert.deepEqual(t.task.route.interest, { field: 'user.karma', keyPattern: 'user\\.karma', valuePattern: '^[0-9]+$' });
    assert.equal(t.task.history[0].what, 'created');
  });

  it('does not route to a queue whose patterns do not match', async () => {
    const r = await s.api.publish({ type: 'userDeleted', user: { karma: 'lots' } });
    assert.deepEqual(r.tasks.map((t: { queue: string }) => t.queue), ['audit']);
  });

  it('discards an event no queue is interested in, with 200 and status discarded', async () => {
    await s.api.call('DELETE', '/interest?queue=audit');
    const r = await s.api.call('PUT', '/task', { publisher: 'p', data: { nothing: 'here' } });
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'discarded');
    assert.deepEqual(r.body.tasks, []);
    await s.api.interest('audit', '*');
  });

  it('queue publishes straight into that queue, bypassing interests; its route says direct', async () => {
    // This event would go to audit ('*') and email by interest: named, it goes to jobs alone.
    const r = await s.api.call('PUT', '/task', { publisher: 'resque-like', queue: 'jobs', data: { type: 'userCreated' } });
    assert.equal(r.status, 201);
    assert.deepEqual(r.body.tasks.map((t: { queue: string }) => t.queue), ['jobs']);
    const t = (await s.api.status(`?task=${r.body.tasks[0].taskId}`)).task;
    assert.equal(t.route.interest, 'direct');
    assert.equal((await s.api.status('?queue=jobs')).counts.ready, 1, 'a queue nobody declared is known by its task');
    const w = await s.api.worker('jobs');
    assert.equal((await s.api.take(w)).taskId, r.body.tasks[0].taskId);
    // In a batch, each event chooses; a bad name is refused and stores nothing.
    const batch = await s.api.call('PUT', '/tasks', { events: [{ publisher: 'p', queue: 'jobs', data: { n: 1 } }, { publisher: 'p', data: { vip: true } }] });
    assert.deepEqual(batch.body.events.map((e: { tasks: { queue: string }[] }) => e.tasks.map((x) => x.queue).sort()), [['jobs'], ['audit', 'flags']]);
    const before = (await s.api.status('?queue=jobs')).counts.ready;
    const bad = await s.api.call('PUT', '/tasks', { events: [{ publisher: 'p', queue: 'jobs', data: {} }, { publisher: 'p', queue: 'a,b', data: {} }] });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /queue/);
    assert.equal((await s.api.status('?queue=jobs')).counts.ready, before);
  });

  it('schedules with runAt (unix seconds) or delay, and says scheduled', async () => {
    const at = Date.now() / 1000 + 3600;
    const a = await s.api.publish({ type: 'userCreated' }, { runAt: at });
    assert.equal(a.status, 'scheduled');
    const b = await s.api.publish({ type: 'userCreated' }, { delay: 60 });
    assert.equal(b.status, 'scheduled');
    const t = await s.api.status(`?task=${a.tasks[0].taskId}`);
    assert.equal(t.task.state, 'scheduled');
    assert.ok(Math.abs(t.task.runAt - at) < 0.002);
    const both = await s.api.call('PUT', '/task', { publisher: 'p', data: {}, runAt: at, delay: 5 });
    assert.equal(both.status, 400);
  });

  it('accepts a form-urlencoded body with data as a JSON string', async () => {
    const r = await s.api.call('PUT', '/task', { publisher: 'form', data: JSON.stringify({ type: 'userCreated' }), priority: '7' }, { form: true });
    assert.equal(r.status, 201);
    const t = await s.api.status(`?task=${r.body.tasks.find((x: { queue: string }) => x.queue === 'email').taskId}`);
    assert.equal(t.task.priority, 7);
    assert.equal(t.task.publisher, 'form');
    const bad = await s.api.call('PUT', '/task', { publisher: 'form', data: '{not json' }, { form: true });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'invalid_json');
  });

  it('singularlyEnqueue gives no second copy while one with the same data waits (default key: hash of data)', async () => {
    await s.api.interest('single', { kind: '^dedupe$' });
    const first = await s.api.publish({ kind: 'dedupe', b: 1, a: 2 }, { singularlyEnqueue: true });
    assert.equal(first.tasks.length, 2); // single + audit
    const second = await s.api.publish({ a: 2, b: 1, kind: 'dedupe' }, { singularlyEnqueue: true });
    assert.deepEqual(second.deduplicated.sort(), ['audit', 'single']);
    assert.deepEqual(second.tasks, []);
    const other = await s.api.publish({ kind: 'dedupe', b: 2 }, { singularlyEnqueue: true });
    assert.equal(other.tasks.length, 2, 'other data is another key');
    const keyed = await s.api.publish({ kind: 'dedupe', b: 3 }, { singularlyEnqueue: true, uniqueKey: 'fixed' });
    const keyed2 = await s.api.publish({ kind: 'dedupe', b: 4 }, { singularlyEnqueue: true, uniqueKey: 'fixed' });
    assert.equal(keyed.tasks.length, 2);
    assert.deepEqual(keyed2.deduplicated.sort(), ['audit', 'single']);
  });

  it('fastPost answers 202 before routing, and the event is stored shortly after', async () => {
    await s.api.interest('fast', { kind: '^fast$' });
    const r = await s.api.call('PUT', '/task', { publisher: 'p', data: { kind: 'fast' }, fastPost: true });
    assert.equal(r.status, 202);
    await until('the fastPost event in its queue', async () => (await s.api.status('?queue=fast')).length === 1);
  });

  it('fastPost still validates: a bad event is a 400, not a 202', async () => {
    const r = await s.api.call('PUT', '/task', { publisher: 'p', data: 'nope', fastPost: true });
    assert.equal(r.status, 400);
  });

  it('PUT /tasks publishes a batch, one answer per event in order', async () => {
    await s.api.interest('batch', { kind: '^batch$' });
    const r = await s.api.call('PUT', '/tasks', { events: [
      { publisher: 'p', data: { kind: 'batch', i: 0 } },
      { publisher: 'p', data: { kind: 'batch', i: 1 }, priority: 3 },
    ] });
    assert.equal(r.status, 201);
    assert.equal(r.body.events.length, 2);
    assert.ok(r.body.events.every((e: { status: string }) => e.status === 'enqueued'));
    assert.equal((await s.api.status('?queue=batch')).length, 2);
  });

  it('PUT /tasks with one bad event stores none of them', async () => {
    const before = (await s.api.status('?queue=batch')).length;
    const r = await s.api.call('PUT', '/tasks', { events: [{ publisher: 'p', data: { kind: 'batch' } }, { publisher: 'p', data: 5 }] });
    assert.equal(r.status, 400);
    assert.match(r.body.details[0].field, /events\.1\.data/);
    assert.equal((await s.api.status('?queue=batch')).length, before);
  });

  it('scope all makes a copy for every worker of the queue', async () => {
    await s.api.interest('bcast', { kind: '^bcast$' });
    const w1 = await s.api.worker(['bcast']);
    const w2 = await s.api.worker(['bcast']);
    const r = await s.api.publish({ kind: 'bcast' }, { scope: 'all' });
    assert.equal(r.tasks.filter((t: { queue: string }) => t.queue === 'bcast').length, 2);
    const a = await s.api.take(w1);
    const b = await s.api.take(w2);
    assert.ok(a && b);
    assert.notEqual(a.taskId, b.taskId);
    assert.equal(a.eventId, b.eventId);
  });

  it('idempotencyKey: a retried publish answers the first answer with replayed, and stores nothing new', async () => {
    const body = { publisher: 'retrying-client', data: { type: 'userCreated', n: 1 }, idempotencyKey: 'order-77' };
    const first = await s.api.call('PUT', '/task', body);
    assert.equal(first.status, 201);
    assert.equal(first.body.replayed, undefined);
    const before = (await s.api.status('?queue=email')).counts.ready;
    const again = await s.api.call('PUT', '/task', body);
    assert.equal(again.status, 201);
    assert.deepEqual({ ...again.body, replayed: undefined }, { ...first.body, replayed: undefined });
    assert.equal(again.body.replayed, true);
    assert.equal((await s.api.status('?queue=email')).counts.ready, before, 'nothing new stored');
    // In a batch too, element by element.
    const batch = await s.api.call('PUT', '/tasks', { events: [{ publisher: 'p', data: { n: 2 } }, body] });
    assert.deepEqual([batch.status, batch.body.events[1].eventId, batch.body.events[1].replayed], [201, first.body.eventId, true]);
  });

  it('idempotencyKey: the same key with a different event is a 409 naming it, and changes nothing', async () => {
    await s.api.call('PUT', '/task', { publisher: 'k', data: { type: 'userCreated' }, idempotencyKey: 'once' });
    const before = await s.api.status('?queue=audit');
    const r = await s.api.call('PUT', '/tasks', { events: [
      { publisher: 'k', data: { fine: true } },
      { publisher: 'k', data: { type: 'userCreated', changed: true }, idempotencyKey: 'once' },
    ] });
    assert.deepEqual([r.status, r.body.code], [409, 'idempotency_conflict']);
    assert.match(r.body.error, /"once"/);
    assert.deepEqual(r.body.details, [{ event: 1, idempotencyKey: 'once' }]);
    assert.deepEqual((await s.api.status('?queue=audit')).counts, before.counts, 'the whole batch was refused');
  });
});

describe('publishing on two nodes', () => {
  it('routes by interests another node changed just before, whether the stale maps would store or discard', async () => {
    const a = await startTestServer();
    const b = await startTestServer({}, { dbFile: a.dbFile });
    try {
      const queuesOf = (r: { tasks: { queue: string }[] }) => r.tasks.map((t) => t.queue).sort();
      // b loads its maps now: nothing is interested yet.
      assert.equal((await b.api.publish({ kind: 'x' })).status, 'discarded');
      await a.api.interest('first', { kind: '^x$' });
      // b's maps would discard this: the event must still reach the queue a just made.
      assert.deepEqual(queuesOf(await b.api.publish({ kind: 'x' })), ['first']);
      await a.api.interest('first', { kind: '^y$' });
      await a.api.interest('second', { kind: '^x$' });
      // b's maps would store this in "first": it must go to "second" only.
      assert.deepEqual(queuesOf(await b.api.publish({ kind: 'x' })), ['second']);
      const r = await b.api.call('PUT', '/tasks', { events: [{ publisher: 't', data: { kind: 'x' } }, { publisher: 't', data: { kind: 'y' } }] });
      assert.deepEqual(r.body.events.map(queuesOf), [['second'], ['first']]);
      assert.equal((await a.api.status('?queue=first')).counts.ready, 2);
      assert.equal((await a.api.status('?queue=second')).counts.ready, 2);
    } finally {
      await b.stop();
      await a.stop();
    }
  });
});
