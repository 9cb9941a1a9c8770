// Each limit answers a clear 4xx: queues, workers and schedules past their settings are 409
// limit_reached and change nothing; requests past the rate are 429 rate_limited with Retry-After.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { client } from '../helpers/http.js';

describe('capacity and rate limits', () => {
  let s: TestServer | undefined;
  afterEach(async () => { await s?.stop(); s = undefined; });

  it('queues, workers and schedules stop at their limits; changing what exists still works', async () => {
    s = await startTestServer({ SWITCHYARD_MAX_QUEUES: '3', SWITCHYARD_MAX_WORKERS: '2', SWITCHYARD_MAX_SCHEDULES: '1' });
    for (const q of ['a', 'b', 'c']) await s.api.interest(q, '*');
    const fourth = await s.api.call('PUT', '/interest', { queue: 'd', interests: '*' });
    assert.deepEqual([fourth.status, fourth.body.code], [409, 'limit_reached']);
    assert.match(fourth.body.error, /holds 3 queues, its limit \(SWITCHYARD_MAX_QUEUES\)/);
    assert.equal((await s.api.call('PATCH', '/queue', { queue: 'e', paused: true })).status, 409);
    assert.equal((await s.api.call('PUT', '/interest', { queue: 'a', interests: { k: 'v' } })).status, 200, 'an existing queue changes');
    assert.equal((await s.api.call('PATCH', '/queue', { queue: 'b', paused: true })).status, 200);
    assert.equal((await s.api.status('?queues')).total, 3);

    const w1 = await s.api.worker(['a']);
    await s.api.worker(['b']);
    const third = await s.api.call('PUT', '/worker', { queues: ['c'] });
    assert.deepEqual([third.status, third.body.code], [409, 'limit_reached']);
    await s.api.call('DELETE', `/worker?workerId=${w1}`);
    assert.equal((await s.api.call('PUT', '/worker', { queues: ['c'] })).status, 201, 'room again once one left');

    const sched = (name: string) => s!.api.call('PUT', '/schedule', { name, cron: '0 3 * * *', event: { publisher: 'p', data: {} } });
    assert.equal((await sched('one')).status, 201);
    assert.deepEqual([(await sched('two')).status, (await sched('two')).body.code], [409, 'limit_reached']);
    assert.equal((await sched('one')).status, 200, 'replacing the one there is fine');
  });

  it('requests past the rate are 429 with Retry-After, per token; healthz is never limited', async () => {
    const admin = 'rate-admin-token-0123456789';
    s = await startTestServer({ SWITCHYARD_RATE_LIMIT: '1', SWITCHYARD_ADMIN_TOKEN: admin });
    const other = (await client(s.url, admin).call('PUT', '/token', { name: 'other', role: 'read' })).body.token;
    // One a second with a burst of two: ten back to back get at most 2 + their seconds through.
    const answers = [];
    for (let i = 0; i < 10; i++) answers.push(await client(s.url, admin).call('GET', '/status'));
    const refused = answers.filter((a) => a.status === 429);
    assert.ok(refused.length >= 1, `statuses: ${answers.map((a) => a.status).join(' ')}`);
    assert.equal(refused[0]!.body.code, 'rate_limited');
    assert.ok(Number(refused[0]!.headers.get('retry-after')) >= 1);
    assert.equal((await client(s.url, other).call('GET', '/status')).status, 200, 'another token has its own budget');
    for (let i = 0; i < 5; i++) assert.equal((await client(s.url).call('GET', '/healthz')).status, 200);
  });

  it('copies per event and per request stop at their settings: 422 and nothing stored', async () => {
    s = await startTestServer({ SWITCHYARD_MAX_COPIES: '5', SWITCHYARD_MAX_COPIES_PER_REQUEST: '12' });
    for (let i = 0; i < 5; i++) await s.api.interest(`q${i}`, '*');
    assert.equal((await s.api.publish({ n: 1 })).tasks.length, 5, 'five is fine');
    const batch = await s.api.call('PUT', '/tasks', { events: Array.from({ length: 3 }, (_, n) => ({ publisher: 'p', data: { n } })) });
    assert.deepEqual([batch.status, batch.body.code], [422, 'fan_out_too_large']);
    assert.match(batch.body.error, /would make 15 copies; at most 12 a request \(SWITCHYARD_MAX_COPIES_PER_REQUEST\)/);
    await s.api.interest('q5', '*');
    const one = await s.api.call('PUT', '/task', { publisher: 'p', data: { n: 2 } });
    assert.deepEqual([one.status, one.body.code], [422, 'fan_out_too_large']);
    assert.match(one.body.error, /would make 6 copies .*at most 5 an event \(SWITCHYARD_MAX_COPIES\)/);
    assert.equal((await s.api.status('?queue=q0')).counts.ready, 1, 'only the first event was stored');
  });

  it('one 900 KB event to 100 queues stores its payload once, and a worker of any of them gets it whole', async () => {
    s = await startTestServer();
    const queues = Array.from({ length: 100 }, (_, i) => `q${i}`);
    for (const q of queues) await s.api.interest(q, '*');
    const blob = 'x'.repeat(900 * 1024);
    const published = await s.api.publish({ blob });
    assert.equal(published.tasks.length, 100);
    const w = await s.api.worker(['q0', 'q57', 'q99']);
    for (let i = 0; i < 3; i++) assert.equal((await s.api.take(w)).data.blob, blob);
    if (s.store.kind === 'sqlite') {
      // Was 146 MB: a copy of the payload in every queue's task.
      const bytes = ['', '-wal'].reduce((n, ext) => n + (existsSync(s!.dbFile + ext) ? statSync(s!.dbFile + ext).size : 0), 0);
      assert.ok(bytes < 8 * 1024 * 1024, `the store holds ${bytes} bytes`);
    }
  });
});
