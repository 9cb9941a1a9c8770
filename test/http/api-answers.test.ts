// Answers a client can tell apart: 201 when a call created something, count-only pages, enum errors
// that name the allowed values, and a dry run that counts the copies a publish would make.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('API answers', () => {
  let s: TestServer;
  beforeEach(async () => { s = await startTestServer(); });
  afterEach(() => s.stop());

  it('PATCH /queue answers 201 when it creates the queue and 200 when it changes one', async () => {
    const created = await s.api.call('PATCH', '/queue', { queue: 'emial', paused: true });
    assert.equal(created.status, 201);
    assert.equal(created.body.paused, true);
    assert.equal((await s.api.call('PATCH', '/queue', { queue: 'emial', paused: false })).status, 200);
    // a queue that only a worker named is not declared yet: the first policy declares it
    await s.api.worker(['named']);
    assert.equal((await s.api.call('PATCH', '/queue', { queue: 'named', maxAttempts: 2 })).status, 201);
  });

  it('PUT /interest answers 201 when it creates the queue and 200 when it replaces a map', async () => {
    assert.equal((await s.api.call('PUT', '/interest', { queue: 'a', interests: '*' })).status, 201);
    assert.equal((await s.api.call('PUT', '/interest', { queue: 'a', interests: { t: '^x$' } })).status, 200);
    await s.api.call('PATCH', '/queue', { queue: 'b', paused: true });
    assert.equal((await s.api.call('PUT', '/interest', { queue: 'b', interests: '*' })).status, 200, 'b was declared by its policy');
  });

  it('PUT /schedule answers 201 on create and 200 on replace', async () => {
    const body = { name: 'n', cron: '0 3 * * *', event: { publisher: 'cron', data: { x: 1 } } };
    assert.equal((await s.api.call('PUT', '/schedule', body)).status, 201);
    const again = await s.api.call('PUT', '/schedule', { ...body, cron: '0 4 * * *' });
    assert.deepEqual([again.status, again.body.cron], [200, '0 4 * * *']);
  });

  it('limit=0 answers only the total, on /failed and /queue/tasks', async () => {
    await s.api.call('PATCH', '/queue', { queue: 'a', maxAttempts: 1 });
    await s.api.interest('a', '*');
    for (let i = 0; i < 3; i++) await s.api.publish({ i });
    const w = await s.api.worker(['a']);
    const t = await s.api.take(w);
    await s.api.report(w, t.taskId, 'fail', { failReason: 'x' });
    assert.deepEqual((await s.api.call('GET', '/failed?limit=0')).body, { total: 1, tasks: [] });
    assert.deepEqual((await s.api.call('GET', '/queue/tasks?queue=a&state=ready&limit=0')).body, { total: 2, tasks: [] });
    assert.equal((await s.api.call('GET', '/queue/tasks?queue=a&state=ready&limit=1')).body.tasks.length, 1);
  });

  it('an invalid enum value names the allowed values', async () => {
    const scope = await s.api.call('PUT', '/task', { publisher: 'p', data: {}, scope: 'some' });
    assert.equal(scope.status, 400);
    assert.equal(scope.body.error, 'body field scope must be one of "any", "all"');
    const state = await s.api.call('POST', '/task', { workerId: 'w', taskId: 't', state: 'done' });
    assert.match(state.body.error, /state must be one of "success", "fail", "progress"/);
    const q = await s.api.call('GET', '/queue/tasks?queue=a&state=done');
    assert.deepEqual([q.status, q.body.details[0].field], [400, 'state']);
    assert.match(q.body.details[0].message, /"scheduled", "ready", "started", "succeeded", "failed", "cancelled"/);
  });

  it('POST /interest/dry-run takes the publish options and counts the copies each queue would get, storing nothing', async () => {
    await s.api.interest('email', { type: '^userCreated$' });
    await s.api.interest('points', '*');
    await s.api.interest('audit', { type: '^other$' });
    await s.api.worker(['email'], 'w1');
    await s.api.worker(['points', 'email'], 'w2');
    const event = { publisher: 'p', data: { type: 'userCreated' } };
    const all = (await s.api.call('POST', '/interest/dry-run', { ...event, scope: 'all' })).body;
    const copies = Object.fromEntries(all.queues.map((q: { queue: string; copies: number }) => [q.queue, q.copies]));
    assert.deepEqual(copies, { audit: 0, email: 2, points: 1 });
    assert.deepEqual([all.status, all.copies], ['enqueued', 3]);
    const any = (await s.api.call('POST', '/interest/dry-run', { ...event, delay: 60, priority: 3, singularlyRun: true })).body;
    assert.deepEqual([any.status, any.copies], ['scheduled', 2]);
    const none = (await s.api.call('POST', '/interest/dry-run', { data: { type: 'x' }, interests: { type: '^y$' }, queue: 'points' })).body;
    assert.deepEqual([none.valid, none.status, none.copies], [true, 'discarded', 0]);
    const bad = await s.api.call('POST', '/interest/dry-run', { ...event, scope: 'every' });
    assert.equal(bad.status, 400);
    const st = await s.api.status();
    assert.equal(st.queues.reduce((n: number, q: { length: number }) => n + q.length, 0), 0, 'nothing was stored');
  });
});
