// Workers, interests, queues, the failed queue, status parts and metrics over HTTP.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { couchbaseTestSettings } from '../helpers/couchbase.js';

describe('managing', () => {
  let s: TestServer;
  beforeEach(async () => { s = await startTestServer(); });
  afterEach(() => s.stop());

  async function failOne(queue: string, reason: string, data: Record<string, unknown>) {
    await s.api.call('PATCH', '/queue', { queue, maxAttempts: 1 });
    await s.api.interest(queue, { q: `^${queue}$` });
    await s.api.publish({ q: queue, ...data });
    const w = await s.api.worker([queue]);
    const t = await s.api.take(w);
    await s.api.report(w, t.taskId, 'fail', { failReason: reason });
    await s.api.call('DELETE', `/worker?workerId=${w}`);
    return t.taskId as string;
  }

  it('GET /status says when a queue is held by pause, concurrency or rate limit', async () => {
    const heldBy = async (q: string) => (await s.api.status(`?queue=${q}`)).heldBy;
    for (const q of ['c', 'r', 'p']) {
      await s.api.interest(q, { q: `^${q}$` });
      for (let i = 0; i < 3; i++) await s.api.publish({ q, i });
    }
    await s.api.call('PATCH', '/queue', { queue: 'c', concurrency: 1 });
    await s.api.call('PATCH', '/queue', { queue: 'r', rateLimit: 1 });
    await s.api.call('PATCH', '/queue', { queue: 'p', paused: true });
    assert.deepEqual([await heldBy('c'), await heldBy('r'), await heldBy('p')], [null, null, 'paused']);
    const w = await s.api.worker(['c', 'r']);
    assert.ok(await s.api.take(w)); // from c, which is then at its concurrency
    assert.ok(await s.api.take(w)); // from r, which has then spent its one token this second
    assert.deepEqual([await heldBy('c'), await heldBy('r')], ['concurrency', 'rateLimit']);
    const all = (await s.api.status('?queues')).queues.map((q: { name: string; heldBy: string | null }) => [q.name, q.heldBy]);
    assert.deepEqual(all, [['c', 'concurrency'], ['p', 'paused'], ['r', 'rateLimit']]);
  });

  it('PUT /worker takes a comma-separated list and refuses "*"', async () => {
    const r = await s.api.call('PUT', '/worker', { queues: 'a, b,c', name: 'mailer' });
    assert.equal(r.status, 201);
    assert.deepEqual(r.body.queues, ['a', 'b', 'c']);
    const star = await s.api.call('PUT', '/worker', { queues: 'a,*' });
    assert.equal(star.status, 400);
    assert.match(star.body.error, /\*/);
    const ws = await s.api.status('?workers');
    assert.equal(ws.workers.length, 1);
  });

  it('DELETE /worker returns its started tasks; the removed worker then gets 404', async () => {
    await s.api.interest('a', '*');
    await s.api.publish({ x: 1 });
    const w = await s.api.worker(['a']);
    const t = await s.api.take(w);
    const r = await s.api.call('DELETE', `/worker?workerId=${w}`);
    assert.deepEqual(r.body, { workers: 1, tasksReturned: 1, tasksCancelled: 0 });
    assert.equal((await s.api.status(`?task=${t.taskId}`)).task.state, 'ready');
    assert.equal((await s.api.call('GET', `/task?workerId=${w}`)).status, 404);
    assert.equal((await s.api.call('DELETE', `/worker?workerId=${w}`)).status, 404);
  });

  it('DELETE /worker?queue= removes every worker of that queue, which then get nothing', async () => {
    await s.api.interest('a', '*');
    const w1 = await s.api.worker(['a']);
    const w2 = await s.api.worker(['b', 'a']);
    const keep = await s.api.worker(['b']);
    const r = await s.api.call('DELETE', '/worker?queue=a');
    assert.equal(r.body.workers, 2);
    await s.api.publish({ x: 1 });
    assert.equal((await s.api.call('GET', `/task?workerId=${w1}`)).status, 404);
    assert.equal((await s.api.call('GET', `/task?workerId=${w2}`)).status, 404);
    assert.equal((await s.api.call('GET', `/task?workerId=${keep}`)).status, 200);
  });

  it('an idle worker is reaped by the sweep and its task goes back', async () => {
    await s.api.interest('a', '*');
    await s.api.publish({ x: 1 });
    const w = await s.api.worker(['a']);
    const t = await s.api.take(w);
    await s.sweeps.runOnce(Date.now() + 601_000);
    assert.equal((await s.api.status(`?task=${t.taskId}`)).task.state, 'ready');
    assert.equal((await s.api.call('GET', `/task?workerId=${w}`)).status, 404);
  });

  it('PUT /interest refuses an invalid or non-linear pattern with a 400 naming it, and keeps the old map', async () => {
    await s.api.interest('a', { type: '^ok$' });
    for (const bad of ['(unclosed', '(a)\\1', '(?=lookahead)', 'x'.repeat(2000)]) {
      const r = await s.api.call('PUT', '/interest', { queue: 'a', interests: { type: bad } });
      assert.equal(r.status, 400, bad);
      assert.equal(r.body.code, 'pattern_invalid');
      assert.equal(r.body.details[0].pattern, bad);
    }
    assert.deepEqual((await s.api.status('?interests')).interests, { a: { type: '^ok$' } });
  });

  it('a pattern that backtracks catastrophically elsewhere cannot stall publishing here', async () => {
    await s.api.interest('a', { text: '^(a+)+$' });
    const r = await s.api.call('PUT', '/task', { publisher: 'p', data: { text: `${'a'.repeat(50_000)}!` } });
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'discarded');
  });

  it('DELETE /interest removes the map and keeps the queue with its tasks', async () => {
    await s.api.interest('a', '*');
    await s.api.publish({ x: 1 });
    assert.deepEqual((await s.api.call('DELETE', '/interest?queue=a')).body, { queue: 'a', interests: null });
    assert.equal((await s.api.status('?queue=a')).length, 1);
    assert.equal((await s.api.publish({ x: 2 })).status, 'discarded');
    assert.equal((await s.api.call('DELETE', '/interest?queue=never')).status, 404);
  });

  it('POST /interest/dry-run explains which queues would get an event and why not', async () => {
    await s.api.interest('mail', { type: '^userCreated$' });
    await s.api.interest('pay', { amount: '^[0-9]+$' });
    const r = await s.api.call('POST', '/interest/dry-run', { data: { type: 'userCreated', amount: 'ten' } });
    const byQueue = Object.fromEntries(r.body.queues.map((q: { queue: string }) => [q.queue, q]));
    assert.equal(byQueue.mail.matched, true);
    assert.equal(byQueue.pay.matched, false);
    assert.match(byQueue.pay.why, /amount/);
    assert.equal((await s.api.status('?queues')).queues.reduce((n: number, q: { length: number }) => n + q.length, 0), 0, 'nothing stored');
  });

  it('DELETE /queue removes the queue, its interests and its waiting tasks and says how many', async () => {
    await s.api.interest('a', '*');
    await s.api.publish({ x: 1 });
    await s.api.publish({ x: 2 });
    const r = await s.api.call('DELETE', '/queue?queue=a');
    assert.deepEqual(r.body, { queue: 'a', deleted: true, waitingTasksDeleted: 2 });
    assert.deepEqual((await s.api.status('?interests')).interests, {});
    assert.equal((await s.api.call('DELETE', '/queue?queue=a')).status, 404);
  });

  it('DELETE /queue of a backlog stops routing to the queue as it begins: nothing published meanwhile is left in it', async () => {
    // Longer than one part of the delete (SQLite erases 1,000 tasks a commit, Couchbase 200), so
    // publishes commit between its parts.
    const backlog = 5000;
    await s.api.interest('a', '*');
    for (let i = 0; i < backlog; i += 500) {
      const put = await s.api.call('PUT', '/tasks', { events: Array.from({ length: 500 }, (_, n) => ({ publisher: 'p', data: { n: i + n } })) });
      assert.equal(put.status, 201);
    }
    let done = false;
    const deleting = s.api.call('DELETE', '/queue?queue=a').finally(() => { done = true; });
    let meanwhile = 0;
    while (!done) {
      await s.api.publish({ late: meanwhile });
      if (!done) meanwhile++;
    }
    assert.deepEqual((await deleting).body, { queue: 'a', deleted: true, waitingTasksDeleted: backlog });
    assert.ok(meanwhile >= 2, `${meanwhile} publishes answered while the delete ran`);
    const left = (await s.api.status('?queues')).queues.filter((q: { name: string }) => q.name === 'a');
    assert.deepEqual(left.map((q: { length: number }) => q.length), left.length ? [0] : [], 'no task of the deleted queue waits');
    assert.deepEqual((await s.api.status('?interests')).interests, {});
  });

  it('DELETE /queue/tasks purges the waiting tasks only; GET /queue/tasks pages them by state', async () => {
    await s.api.interest('p', '*');
    for (let i = 0; i < 4; i++) await s.api.publish({ i });
    await s.api.publish({ later: true }, { delay: 3600 });
    const w = await s.api.worker(['p']);
    const started = await s.api.take(w);
    const page = await s.api.call('GET', '/queue/tasks?queue=p&state=ready&limit=2&offset=1');
    assert.deepEqual([page.body.total, page.body.tasks.length], [3, 2]);
    assert.deepEqual((await s.api.call('DELETE', '/queue/tasks?queue=p')).body, { queue: 'p', purged: 4 });
    const st = await s.api.status('?queue=p');
    assert.deepEqual([st.counts.ready, st.counts.scheduled, st.counts.started], [0, 0, 1]);
    assert.deepEqual((await s.api.status('?interests')).interests, { p: '*' }, 'the queue keeps its interests');
    assert.equal((await s.api.report(w, started.taskId, 'success')).status, 200);
    assert.equal((await s.api.call('DELETE', '/queue/tasks')).status, 400);
  });

  it('GET /status?queues pages and filters by name; GET /throughput answers per-minute series', async () => {
    for (const q of ['mail-a', 'mail-b', 'sms', 'mail-c']) { await s.api.interest(q, { q: `^${q}$` }); await s.api.publish({ q }); }
    const page = await s.api.status('?queues&match=mail&limit=2&offset=1');
    assert.deepEqual([page.total, page.queues.map((q: { name: string }) => q.name)], [3, ['mail-b', 'mail-c']]);
    assert.equal((await s.api.status('?queues')).queues.length, 4, 'without paging, every queue');
    const one = await s.api.call('GET', '/throughput?queues=sms,mail-a&minutes=5');
    assert.deepEqual(Object.keys(one.body.queues), ['sms', 'mail-a']);
    assert.equal(one.body.queues.sms.reduce((n: number, m: { published: number }) => n + m.published, 0), 1);
    const all = await s.api.call('GET', '/throughput');
    assert.equal(all.body.minutes.reduce((n: number, m: { published: number }) => n + m.published, 0), 4);
    assert.equal(typeof all.body.minutes[0].minute, 'number');
    assert.equal((await s.api.call('GET', '/throughput?minutes=0')).status, 400);
    assert.equal((await s.api.call('GET', `/throughput?queues=${Array.from({ length: 101 }, (_, i) => `q${i}`).join(',')}`)).status, 400);
  });

  it('the page and its chart library are served by the broker itself', async () => {
    const index = await s.api.call('GET', '/');
    assert.equal(index.status, 200);
    assert.match(index.text, /<script type="module" src="\/app\/main.js">/);
    const lib = await s.api.call('GET', '/vendor/uplot/uPlot.esm.js');
    assert.equal(lib.status, 200);
    assert.match(lib.headers.get('content-type') ?? '', /javascript/);
    assert.doesNotMatch(index.text, /https?:\/\//, 'nothing from the internet');
  });

  it('PATCH /queue answers the whole policy', async () => {
    const r = await s.api.call('PATCH', '/queue', { queue: 'a', maxAttempts: 3, backoffSeconds: 2, leaseSeconds: 10 });
    assert.deepEqual(r.body, { queue: 'a', paused: false, maxAttempts: 3, backoffSeconds: 2, maxBackoffSeconds: 3600, leaseSeconds: 10, rateLimit: null, concurrency: null,
      pushUrl: null, pushTimeoutSeconds: 30, hasPushSecret: false, allowTaskPushUrl: false });
    const bad = await s.api.call('PATCH', '/queue', { queue: 'a', pushUrl: 'ftp://x', pushTimeoutSeconds: 0 });
    assert.deepEqual([bad.status, bad.body.details.map((d: { field: string }) => d.field).sort()], [400, ['pushTimeoutSeconds', 'pushUrl']]);
    assert.deepEqual((await s.api.status('?queue=a')).policy.maxAttempts, 3);
  });

  it('GET /failed filters by queue, reason and payload; retry into another queue with edited data; delete all matching', async () => {
    const a1 = await failOne('a', 'smtp timeout', { user: 'ann' });
    await failOne('a', 'bad address', { user: 'bob' });
    const b1 = await failOne('b', 'smtp timeout', { user: 'cy' });
    assert.equal((await s.api.call('GET', '/failed')).body.total, 3);
    assert.equal((await s.api.call('GET', '/failed?queue=a')).body.total, 2);
    assert.equal((await s.api.call('GET', '/failed?reason=timeout')).body.total, 2);
    assert.equal((await s.api.call('GET', '/failed?search=bob')).body.total, 1);
    assert.equal((await s.api.call('GET', '/failed?limit=1')).body.tasks.length, 1);
    assert.deepEqual((await s.api.status('?failedQueue&queue=b')).tasks.map((t: { taskId: string }) => t.taskId), [b1]);

    const retry = await s.api.call('POST', '/failed/retry', { taskIds: [a1], toQueue: 'c', data: { user: 'ann2' } });
    assert.deepEqual(retry.body, { retried: 1 });
    const t = (await s.api.status(`?task=${a1}`)).task;
    assert.equal(t.state, 'ready');
    assert.equal(t.queue, 'c');
    assert.deepEqual(t.data, { user: 'ann2' });
    assert.equal(t.history.at(-1).originalData.user, 'ann');

    const many = await s.api.call('POST', '/failed/retry', { all: true, data: { x: 1 } });
    assert.equal(many.status, 400, 'edited data goes with one task only');
    const neither = await s.api.call('POST', '/failed/retry', {});
    assert.equal(neither.status, 400);

    const del = await s.api.call('DELETE', '/failed?all=true&reason=timeout');
    assert.deepEqual(del.body, { deleted: 1 });
    assert.equal((await s.api.call('GET', '/failed')).body.total, 1);
  });

  it('GET /failed filters by a payload field = value, exactly; field without value is a 400', async () => {
    const a = await failOne('f', 'x', { user: { id: 7 } });
    await failOne('f', 'x', { user: { id: 70 } });
    const r = await s.api.call('GET', '/failed?field=user.id&value=7');
    assert.deepEqual(r.body.tasks.map((t: { taskId: string }) => t.taskId), [a]);
    assert.equal((await s.api.status('?failedQueue&field=user.id&value=70')).total, 1);
    const bad = await s.api.call('GET', '/failed?field=user.id');
    assert.deepEqual([bad.status, bad.body.code], [400, 'invalid_input']);
    assert.deepEqual((await s.api.call('POST', '/failed/retry', { all: true, field: 'user.id', value: '7' })).body, { retried: 1 });
    assert.equal((await s.api.call('GET', '/failed')).body.total, 1);
  });

  it('GET /status answers every CouchQueue part', async () => {
    await s.api.interest('a', '*');
    await s.api.publish({ x: 1 });
    await s.api.publish({ x: 2 }, { delay: 60 });
    const w = await s.api.worker(['a'], 'named');
    const t = await s.api.take(w);
    const all = await s.api.status();
    assert.deepEqual(Object.keys(all).sort(), ['failed', 'fastPostErrors', 'queues', 'schedules', 'throughput', 'unrouted', 'warnings', 'workers']);
    assert.equal(all.workers, 1);
    const q = await s.api.status('?queue=a');
    assert.equal(q.length, 1);
    assert.deepEqual(q.counts, { scheduled: 1, ready: 0, started: 1, succeeded: 0, failed: 0, cancelled: 0 });
    assert.equal((await s.api.status('?queues')).queues[0].name, 'a');
    assert.deepEqual((await s.api.status(`?workerQueue=${w}`)).length, 1);
    assert.deepEqual((await s.api.status('?interests')).interests, { a: '*' });
    const ws = (await s.api.status('?workers')).workers;
    assert.deepEqual([ws[0].name, ws[0].queues, ws[0].tasks], ['named', ['a'], [t.taskId]]);
    assert.ok(ws[0].lastSeenAt > 0);
    assert.equal((await s.api.status(`?task=${t.taskId}`)).task.state, 'started');
    assert.equal((await s.api.call('GET', '/status?task=nope')).status, 404);
    assert.equal((await s.api.call('GET', '/status?queue=nope')).status, 404);
  });

  it('GET /metrics speaks Prometheus text with per-queue counts', async () => {
    await s.api.interest('a', '*');
    await s.api.publish({ x: 1 });
    const w = await s.api.worker(['a']);
    const t = await s.api.take(w);
    await s.api.report(w, t.taskId, 'success');
    const r = await s.api.call('GET', '/metrics');
    assert.match(r.headers.get('content-type') ?? '', /text\/plain/);
    assert.match(r.text, /switchyard_tasks_published_total\{queue="a"\} 1/);
    assert.match(r.text, /switchyard_tasks_succeeded_total\{queue="a"\} 1/);
    assert.match(r.text, /switchyard_queue_length\{queue="a"\} 0/);
    assert.match(r.text, /switchyard_task_seconds_count\{queue="a",outcome="success"\} 1/);
    assert.match(r.text, /switchyard_enqueue_to_start_seconds_count\{queue="a"\} 1/);
  });

  it('a store that cannot be reached answers 503 store_unavailable, never 500', async () => {
    await s.api.interest('a', '*');
    await s.store.close(); // the store is gone under a running broker
    const health = await s.api.call('GET', '/healthz');
    assert.deepEqual([health.status, health.body.code], [503, 'store_unavailable']);
    const put = await s.api.call('PUT', '/task', { publisher: 'p', data: { x: 1 } });
    assert.deepEqual([put.status, put.body.code], [503, 'store_unavailable']);
    const status = await s.api.call('GET', '/status');
    assert.deepEqual([status.status, status.body.code], [503, 'store_unavailable']);
  });

  it('GET /healthz answers 200 while the store is reachable', async () => {
    const r = await s.api.call('GET', '/healthz');
    assert.deepEqual([r.status, r.body.store], [200, couchbaseTestSettings() ? 'couchbase' : 'sqlite']);
  });
});
