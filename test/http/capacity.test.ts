// Each limit answers a clear 4xx: queues, workers and schedules past their settings are 409
// limit_reached and change nothing; requests past the rate are 429 rate_limited with Retry-After.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
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

  it('an event makes at most 1,000 copies and a request 10,000: past that, 422 and nothing stored', async () => {
    s = await startTestServer();
    for (let i = 0; i < 1000; i++) await s.api.interest(`q${i}`, '*');
    assert.equal((await s.api.publish({ n: 1 })).tasks.length, 1000, 'a thousand is fine');
    const batch = await s.api.call('PUT', '/tasks', { events: Array.from({ length: 11 }, (_, n) => ({ publisher: 'p', data: { n } })) });
    assert.deepEqual([batch.status, batch.body.code], [422, 'fan_out_too_large']);
    await s.api.interest('q1000', '*');
    const one = await s.api.call('PUT', '/task', { publisher: 'p', data: { n: 2 } });
    assert.deepEqual([one.status, one.body.code], [422, 'fan_out_too_large']);
    assert.equal((await s.api.status('?queue=q0')).counts.ready, 1, 'only the first event was stored');
    // 100 queues of the 1,001 with a 900 KB payload each: 88 MiB of copies (the review stored 146 MB).
    await s.api.call('DELETE', '/queue?queue=q1000');
    for (let i = 100; i < 1000; i++) await s.api.call('DELETE', `/interest?queue=q${i}`);
    const big = await s.api.call('PUT', '/task', { publisher: 'p', data: { blob: 'x'.repeat(900 * 1024) } });
    assert.deepEqual([big.status, big.body.code], [422, 'fan_out_too_large'], big.text.slice(0, 200));
    assert.match(big.body.error, /would store 88 MiB of payload; at most 64 MiB/);
  });
});
