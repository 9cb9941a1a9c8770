// Push delivery against a real HTTP receiver started by the test: 2xx, 500, timeout, connection
// refused, the signature checked the way the README shows, and two broker processes never having
// one task in flight twice while the queue's concurrency holds across both.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { readmeVerifySwitchyard } from '../helpers/readme.js';
import { until } from '../helpers/until.js';
import path from 'node:path';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { freePort, spawnBroker } from '../helpers/process.js';
import { client } from '../helpers/http.js';

interface Received { path: string; headers: http.IncomingHttpHeaders; body: string; at: number }

/** A receiver: /ok answers 200 with JSON, /fail 500, /slow never answers, /hold?ms= waits then 200,
 *  /hang-first never answers a first attempt and answers 200 to later ones. */
function receiver() {
  const got: Received[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const perTask = new Map<string, number>();
  let overlapSameTask = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      got.push({ path: url.pathname, headers: req.headers, body, at: Date.now() });
      const id = String(req.headers['switchyard-task-id']);
      inFlight++; maxInFlight = Math.max(maxInFlight, inFlight);
      perTask.set(id, (perTask.get(id) ?? 0) + 1);
      if (perTask.get(id)! > 1) overlapSameTask++;
      const done = (status: number, text: string) => {
        inFlight--; perTask.set(id, perTask.get(id)! - 1);
        res.writeHead(status, { 'content-type': 'application/json' }).end(text);
      };
      if (url.pathname === '/ok') done(200, JSON.stringify({ handled: id }));
      else if (url.pathname === '/fail') done(500, 'downstream exploded');
      else if (url.pathname === '/hold') setTimeout(() => done(200, '{}'), Number(url.searchParams.get('ms')));
      else if (url.pathname === '/slow' || (url.pathname === '/hang-first' && req.headers['switchyard-attempt'] === '1')) {
        req.socket.on('close', () => { inFlight--; perTask.set(id, perTask.get(id)! - 1); });
      } else if (url.pathname === '/hang-first') done(200, '{}');
    });
  });
  return {
    got, server,
    get maxInFlight() { return maxInFlight; },
    get overlapSameTask() { return overlapSameTask; },
    url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    listen: () => new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r())),
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}


// The receiver runs on this machine: an internal address, allowed here on purpose.
const LOCAL_RECEIVER = { SWITCHYARD_PUSH_ALLOW: '127.0.0.1' };

describe('push delivery', () => {
  const rx = receiver();
  let s: TestServer | undefined;
  before(() => rx.listen());
  after(() => rx.close());
  afterEach(async () => { await s?.stop(); s = undefined; });

  const taskOf = async (taskId: string) => (await s!.api.status(`?task=${taskId}`)).task;
  async function pushQueue(queue: string, policy: Record<string, unknown>) {
    await s!.api.interest(queue, { to: `^${queue}$` });
    const r = await s!.api.call('PATCH', '/queue', { queue, ...policy });
    assert.equal(r.status, 200, r.text);
    return r.body;
  }

  it('a 2xx answer is success; the request names the task, is signed, and verifies as the README shows', async () => {
    s = await startTestServer({ ...LOCAL_RECEIVER, SWITCHYARD_PUSH_SECRET: 'env-secret' });
    const policy = await pushQueue('hooks', { pushUrl: `${rx.url()}/ok` });
    assert.equal(policy.hasPushSecret, false);
    assert.equal('pushSecret' in policy, false, 'a secret is never shown back');
    const { tasks: [{ taskId }], eventId } = await s.api.publish({ to: 'hooks', n: 1 });
    const done = await until('success', async () => { const t = await taskOf(taskId); return t.state === 'succeeded' && t; });
    assert.deepEqual(done.result, { handled: taskId });
    const req = rx.got.find((g) => g.headers['switchyard-task-id'] === taskId)!;
    assert.equal(req.headers['switchyard-queue'], 'hooks');
    assert.equal(req.headers['switchyard-event-id'], eventId);
    assert.equal(req.headers['switchyard-attempt'], '1');
    assert.deepEqual(JSON.parse(req.body).data, { to: 'hooks', n: 1 });
    // The receiver's check, the README's own code:
    const verify = readmeVerifySwitchyard();
    assert.equal(verify(req.headers, req.body, 'env-secret'), true);
    assert.equal(verify(req.headers, req.body, 'another-secret'), false);
    assert.equal(verify(req.headers, req.body.replace('"n":1', '"n":2'), 'env-secret'), false, 'a changed body');
    assert.ok(Math.abs(Date.now() / 1000 - Number(req.headers['switchyard-timestamp'])) < 60);

    // A queue's own secret wins over the broker's.
    await pushQueue('own', { pushUrl: `${rx.url()}/ok`, pushSecret: 'queue-secret' });
    const own = (await s.api.publish({ to: 'own' })).tasks[0].taskId;
    await until('own success', async () => (await taskOf(own)).state === 'succeeded');
    const r2 = rx.got.find((g) => g.headers['switchyard-task-id'] === own)!;
    assert.equal(r2.headers['switchyard-signature'], 'sha256=' + createHmac('sha256', 'queue-secret').update(`${r2.headers['switchyard-timestamp']}.${r2.body}`).digest('hex'));
    assert.equal((await s.api.status('?queue=own')).policy.hasPushSecret, true);
    assert.match(await (await fetch(`${s.url}/metrics`)).text(), /switchyard_push_attempts_total\{queue="hooks",outcome="success"\} 1/);
  });

  it('no secret, no signature; a 500 is a failure retried by the policy, then in the failed queue with the reason', async () => {
    s = await startTestServer(LOCAL_RECEIVER);
    await pushQueue('flaky', { pushUrl: `${rx.url()}/fail?token=url-secret`, maxAttempts: 2, backoffSeconds: 0 });
    const taskId = (await s.api.publish({ to: 'flaky' })).tasks[0].taskId;
    const t = await until('failed', async () => { const x = await taskOf(taskId); return x.state === 'failed' && x; });
    assert.equal(t.attempts, 2);
    // The receiver by origin only: a URL's path and query often carry a token.
    assert.match(t.failReason, /^push to http:\/\/127\.0\.0\.1:\d+ answered HTTP 500: downstream exploded$/);
    const reqs = rx.got.filter((g) => g.headers['switchyard-task-id'] === taskId);
    assert.deepEqual(reqs.map((r) => r.headers['switchyard-attempt']), ['1', '2']);
    assert.equal(reqs[0]!.headers['switchyard-signature'], undefined);
  });

  it('a task may bring its own pushUrl into a queue that allows it; elsewhere, or to an internal address, it is refused', async () => {
    s = await startTestServer({ ...LOCAL_RECEIVER, SWITCHYARD_PUSH_SECRET: 'env-secret' });
    const policy = await pushQueue('targets', { allowTaskPushUrl: true, maxAttempts: 1 });
    assert.deepEqual([policy.allowTaskPushUrl, policy.pushUrl], [true, null], 'pushed with no pushUrl of its own');
    const own = await s.api.call('PUT', '/tasks', { events: [
      { publisher: 'p', data: { to: 'targets', n: 1 }, pushUrl: `${rx.url()}/ok?token=task-secret` },
      { publisher: 'p', data: { to: 'targets', n: 2 }, pushUrl: `${rx.url()}/hold?ms=1` },
      { publisher: 'p', data: { to: 'targets', n: 3 } },
    ] });
    assert.equal(own.status, 201, own.text);
    const [a, b, none] = own.body.events.map((e: { tasks: { taskId: string }[] }) => e.tasks[0]!.taskId) as [string, string, string];
    await until('each delivered or failed', async () => (await taskOf(a)).state === 'succeeded' && (await taskOf(b)).state === 'succeeded' && (await taskOf(none)).state === 'failed');
    assert.deepEqual(rx.got.filter((g) => [a, b].includes(String(g.headers['switchyard-task-id']))).map((g) => g.path).sort(), ['/hold', '/ok'], 'each to its own URL');
    assert.ok(rx.got.find((g) => g.headers['switchyard-task-id'] === a)!.headers['switchyard-signature'], 'signed as any push');
    assert.match((await taskOf(none)).failReason, /no push target/);
    const shown = await taskOf(a);
    assert.equal(shown.pushTo, rx.url(), 'its target by origin only');
    assert.equal(JSON.stringify(shown).includes('task-secret'), false, 'never the URL\'s query');

    // Refused whole, storing nothing: a queue that does not allow it, and an internal address.
    await s.api.interest('plain', { to: '^plain$' });
    const refused = await s.api.call('PUT', '/task', { publisher: 'p', data: { to: 'plain' }, pushUrl: `${rx.url()}/ok` });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /allowTaskPushUrl/);
    assert.equal((await s.api.status('?queue=plain')).counts.ready, 0);
    await s.stop();
    s = await startTestServer();
    await pushQueue('targets', { allowTaskPushUrl: true });
    const internal = await s.api.call('PUT', '/task', { publisher: 'p', data: { to: 'targets' }, pushUrl: 'http://127.0.0.1:9/' });
    assert.deepEqual([internal.status, internal.body.code], [400, 'push_url_forbidden']);
    assert.equal((await s.api.status('?queue=targets')).counts.ready, 0);
  });

  it('a push with no answer within pushTimeoutSeconds, and a refused connection, are failures naming why', async () => {
    s = await startTestServer(LOCAL_RECEIVER);
    await pushQueue('slow', { pushUrl: `${rx.url()}/slow`, pushTimeoutSeconds: 0.5, maxAttempts: 1 });
    await pushQueue('gone', { pushUrl: `http://127.0.0.1:${await freePort()}/x`, maxAttempts: 1 });
    const slow = (await s.api.publish({ to: 'slow' })).tasks[0].taskId;
    const gone = (await s.api.publish({ to: 'gone' })).tasks[0].taskId;
    const a = await until('timeout', async () => { const x = await taskOf(slow); return x.state === 'failed' && x; });
    assert.match(a.failReason, /^push to http:\/\/127\.0\.0\.1:\d+ got no answer within 0\.5 s$/);
    const b = await until('refused', async () => { const x = await taskOf(gone); return x.state === 'failed' && x; });
    assert.match(b.failReason, /failed: ECONNREFUSED$/);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    assert.match(metrics, /switchyard_push_attempts_total\{queue="slow",outcome="timeout"\} 1/);
    assert.match(metrics, /switchyard_push_attempts_total\{queue="gone",outcome="connection_error"\} 1/);
  });

  it('a queue with a one-second lease is pushed too: the push gets the lease less a margin in proportion', async () => {
    s = await startTestServer(LOCAL_RECEIVER);
    await pushQueue('brisk', { pushUrl: `${rx.url()}/ok`, leaseSeconds: 1, maxAttempts: 1 });
    const taskId = (await s.api.publish({ to: 'brisk' })).tasks[0].taskId;
    const t = await until('pushed or failed', async () => { const x = await taskOf(taskId); return ['succeeded', 'failed'].includes(x.state) && x; });
    assert.equal(t.state, 'succeeded', t.failReason);
  });

  it('removing the pushUrl stops pushing: tasks wait for pulling workers again', async () => {
    s = await startTestServer(LOCAL_RECEIVER);
    await pushQueue('switch', { pushUrl: `${rx.url()}/hold?ms=100` });
    await until('pusher running', async () => (await s!.api.status('?workers')).workers.some((w: { name: string }) => w.name.startsWith('push@')));
    await s.api.call('PATCH', '/queue', { queue: 'switch', pushUrl: null });
    await until('pusher gone', async () => !(await s!.api.status('?workers')).workers.some((w: { name: string }) => w.name.startsWith('push@')));
    const deliveriesBefore = rx.got.length;
    const taskId = (await s.api.publish({ to: 'switch' })).tasks[0].taskId;
    // Two discovery passes of the node's own, which would start a pusher for a queue with a pushUrl.
    await s.pusher.sync();
    await s.pusher.sync();
    assert.ok(!(await s.api.status('?workers')).workers.some((w: { name: string }) => w.name.startsWith('push@')), 'no pusher came back');
    assert.equal((await taskOf(taskId)).state, 'ready');
    const w = await s.api.worker(['switch']);
    assert.equal((await s.api.call('GET', `/task?workerId=${w}`)).body.task.taskId, taskId, 'a pulling worker takes it');
    assert.equal(rx.got.length, deliveriesBefore, 'nothing was pushed');
  });

  it('deleting a pushed queue, or removing its pushUrl, takes the node\'s push worker away before the answer', async () => {
    s = await startTestServer(LOCAL_RECEIVER);
    const pushWorkers = async () => (await s!.api.status('?workers')).workers
      .filter((w: { name: string }) => w.name.startsWith('push@')).map((w: { queues: string[] }) => w.queues.join());
    const listed = async () => (await s!.api.status('?queues')).queues.map((q: { name: string }) => q.name);
    await pushQueue('brief', { pushUrl: `${rx.url()}/ok` });
    await pushQueue('kept', { pushUrl: `${rx.url()}/ok` });
    await until('both pushed', async () => (await pushWorkers()).length === 2);

    assert.equal((await s.api.call('DELETE', '/queue?queue=brief')).status, 200);
    assert.deepEqual(await pushWorkers(), ['kept'], 'the deleted queue\'s push worker is gone with the answer');
    assert.ok(!(await listed()).includes('brief'), 'a deleted queue is not listed after its DELETE is answered');

    assert.equal((await s.api.call('PATCH', '/queue', { queue: 'kept', pushUrl: null })).status, 200);
    assert.deepEqual(await pushWorkers(), [], 'no push worker once the pushUrl is removed');
    assert.ok((await listed()).includes('kept'), 'the queue itself stays');
  });

  it('a node killed mid-delivery loses nothing: the lease returns the task and another node pushes it', async () => {
    const dbFile = path.join(tempDir(), 'push-kill.db');
    const first = await spawnBroker(dbFile, LOCAL_RECEIVER);
    let second: Awaited<ReturnType<typeof spawnBroker>> | undefined;
    try {
      const api = client(first.url);
      await api.interest('kill', '*');
      // The first delivery hangs until the node is gone; the lease (2 s) then gives the task back.
      await api.call('PATCH', '/queue', { queue: 'kill', pushUrl: `${rx.url()}/hang-first`, leaseSeconds: 2, pushTimeoutSeconds: 60, maxAttempts: 5 });
      const taskId = (await api.publish({ n: 1 })).tasks[0].taskId;
      await until('first delivery', async () => rx.got.some((g) => g.headers['switchyard-task-id'] === taskId));
      first.proc.kill('SIGKILL');
      await first.exited;
      second = await spawnBroker(dbFile, LOCAL_RECEIVER);
      const api2 = client(second.url);
      const t = await until('delivered again', async () => { const x = (await api2.status(`?task=${taskId}`)).task; return x.state === 'succeeded' && x; }, 30_000);
      const deliveries = rx.got.filter((g) => g.headers['switchyard-task-id'] === taskId);
      assert.deepEqual(deliveries.map((d) => d.headers['switchyard-attempt']), ['1', '2'], 'the hung delivery, then one more');
      assert.equal(t.attempts, 2);
    } finally {
      first.proc.kill('SIGKILL');
      second?.proc.kill('SIGTERM');
      await Promise.all([first.exited, second?.exited]);
    }
  });

  it('two broker processes: each task delivered once, never twice at once, and never more than concurrency at once', async () => {
    const dbFile = path.join(tempDir(), 'push.db');
    const nodes = [await spawnBroker(dbFile, LOCAL_RECEIVER), await spawnBroker(dbFile, LOCAL_RECEIVER)];
    try {
      const api = client(nodes[0]!.url);
      await api.interest('fan', '*');
      await api.call('PATCH', '/queue', { queue: 'fan', pushUrl: `${rx.url()}/hold?ms=80`, concurrency: 3 });
      const before = rx.got.length;
      const r = await api.call('PUT', '/tasks', { events: Array.from({ length: 60 }, (_, i) => ({ publisher: 't', data: { i } })) });
      assert.equal(r.status, 201);
      await until('all delivered', async () => (await api.status('?queue=fan')).counts.succeeded === 60, 60_000);
      const ids = rx.got.slice(before).map((g) => g.headers['switchyard-task-id']);
      assert.equal(ids.length, 60, 'one delivery per task');
      assert.equal(new Set(ids).size, 60);
      assert.equal(rx.overlapSameTask, 0, 'no task in flight twice');
      assert.ok(rx.maxInFlight <= 3, `at most 3 at once across both nodes (saw ${rx.maxInFlight})`);
      const pushers = (await api.status('?workers')).workers.filter((w: { name: string; tasksDone: number }) => w.name.startsWith('push@'));
      assert.equal(pushers.length, 2, 'both nodes push');
    } finally {
      for (const n of nodes) n.proc.kill('SIGTERM');
      await Promise.all(nodes.map((n) => n.exited));
    }
  });
});
