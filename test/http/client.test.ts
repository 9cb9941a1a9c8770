// The SDK, imported as a user imports it ('switchyard/client', through the package's export map),
// against a real broker: queue priority and per-queue concurrency, leases kept and lost, a graceful
// stop, a broker killed and restarted mid-run, and publishes coalesced into few requests.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import http from 'node:http';
import { Worker, Publisher, Admin, SwitchyardError, type Task } from 'switchyard/client';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { freePort, spawnBroker, type BrokerProcess } from '../helpers/process.js';
import { until } from '../helpers/until.js';

describe('switchyard/client', () => {
  let s: TestServer | undefined;
  let worker: Worker | undefined;
  let broker: BrokerProcess | undefined;
  afterEach(async () => {
    await worker?.stop({ timeoutMs: 1000 });
    await s?.stop();
    broker?.proc.kill('SIGKILL');
    worker = undefined; s = undefined; broker = undefined;
  });

  it('takes queues in priority order and holds each queue\'s concurrency', async () => {
    s = await startTestServer();
    const admin = new Admin({ url: s.url });
    await admin.setInterests('hi', { kind: '^hi$' });
    await admin.setInterests('lo', { kind: '^lo$' });
    const publisher = new Publisher({ url: s.url, publisher: 'test' });
    await publisher.publishMany(Array.from({ length: 10 }, (_, n) => ({ data: { kind: 'lo', n } })));
    await publisher.publishMany(Array.from({ length: 10 }, (_, n) => ({ data: { kind: 'hi', n } })));
    const started: string[] = [];
    const running = { hi: 0, lo: 0 };
    const most = { hi: 0, lo: 0 };
    let release!: () => void;
    const released = new Promise<void>((r) => { release = r; });
    worker = new Worker({
      url: s.url, queues: [{ name: 'hi', concurrency: 2 }, { name: 'lo', concurrency: 3 }], waitSeconds: 1,
      handler: async (task) => {
        const q = task.queue as 'hi' | 'lo';
        started.push(q);
        most[q] = Math.max(most[q], ++running[q]);
        await released;
        running[q]--;
        return { done: task.data.n };
      },
    });
    await worker.start();
    await until('both queues at their concurrency', () => running.hi === 2 && running.lo === 3);
    assert.deepEqual(started.slice(0, 2), ['hi', 'hi'], 'the first claim fills the higher-priority queue first');
    release();
    await until('every task done', () => { const st = worker!.stats(); return st.hi!.processed === 10 && st.lo!.processed === 10; });
    assert.deepEqual(most, { hi: 2, lo: 3 }, 'never more at once than each queue\'s concurrency');
    assert.equal((await s.api.status('?queue=hi')).counts.succeeded, 10);
    const st = worker.stats();
    assert.ok(st.hi!.tasksPerSecond > 0 && st.hi!.msPerTask > 0);
  });

  it('keeps a long handler\'s lease by progress, and aborts a handler whose lease is lost', async () => {
    s = await startTestServer();
    const admin = new Admin({ url: s.url });
    await admin.setInterests('slow', '*');
    await admin.setQueuePolicy('slow', { leaseSeconds: 1, maxAttempts: 1 });
    const taskId = (await new Publisher({ url: s.url }).publish({ publisher: "p", data: { n: 1 } })).tasks[0]!.taskId;
    let finish!: () => void;
    const finished = new Promise<void>((r) => { finish = r; });
    let aborted = 0;
    worker = new Worker({
      url: s.url, queues: ['slow'], waitSeconds: 1,
      // The first task finishes when told; the second only ever ends by its signal.
      handler: (task, { signal }) => new Promise((resolve, reject) => {
        signal.addEventListener('abort', () => { aborted++; reject(new Error('aborted')); });
        if (task.data.n === 1) void finished.then(() => resolve('ok'));
      }),
    });
    await worker.start();
    // Three extensions of a one-second lease: the handler outlived it three times over, still leased.
    const leases = new Set<number>();
    await until('three lease extensions', async () => {
      const t = (await s!.api.status(`?task=${taskId}`)).task;
      if (t.state === 'started') leases.add(t.leaseExpiresAt);
      return leases.size >= 4;
    }, 15_000, 50);
    finish();
    await until('the task succeeded', async () => (await s!.api.status(`?task=${taskId}`)).task.state === 'succeeded');
    assert.equal((await s.api.status(`?task=${taskId}`)).task.attempts, 1, 'never handed out again');

    // A lost lease: the broker takes the task back (its worker removed), the next extension is refused.
    const second = await new Publisher({ url: s.url }).publish({ publisher: 'p', data: { n: 2 } });
    const lost: Task[] = [];
    worker.on('lost', (t: Task) => lost.push(t));
    await until('the second task started', async () => (await s!.api.status(`?task=${second.tasks[0]!.taskId}`)).task.state === 'started');
    assert.equal((await s.api.call('DELETE', `/worker?workerId=${worker.workerId}`)).status, 200);
    await until('the handler was aborted', () => aborted === 1 && lost.length === 1);
  });

  it('stop finishes or aborts what runs, reports it once, and removes the worker', async () => {
    s = await startTestServer();
    const admin = new Admin({ url: s.url });
    await admin.setInterests('q', '*');
    await admin.setQueuePolicy('q', { maxAttempts: 1 });
    const published = await new Publisher({ url: s.url, publisher: 'p' }).publishMany([0, 1, 2, 3].map((n) => ({ data: { n } })));
    let quickOnes!: () => void;
    const quick = new Promise<void>((r) => { quickOnes = r; });
    let running = 0;
    worker = new Worker({
      url: s.url, queues: [{ name: 'q', concurrency: 4 }], waitSeconds: 1,
      handler: (task, { signal }) => new Promise((resolve, reject) => {
        running++;
        // Two finish once stop has begun; two never finish by themselves.
        if ((task.data.n as number) < 2) void quick.then(() => resolve('done'));
        signal.addEventListener('abort', () => reject(new Error(`aborted: ${String(signal.reason)}`)));
      }),
    });
    await worker.start();
    await until('four running', () => running === 4);
    const stopping = worker.stop({ timeoutMs: 300 });
    quickOnes();
    await stopping;
    const states = await Promise.all(published.map(async (p) => (await s!.api.status(`?task=${p.tasks[0]!.taskId}`)).task));
    assert.deepEqual(states.map((t) => t.state), ['succeeded', 'succeeded', 'failed', 'failed']);
    assert.match(states[2].failReason, /aborted: worker stopping/);
    for (const t of states) assert.equal(t.history.filter((h: { what: string }) => h.what === 'started').length, 1, 'handed out once');
    assert.equal((await s.api.status('?workers')).workers.length, 0, 'the worker is gone');
    worker = undefined;
  });

  it('holds a prefetch of claimed tasks for free slots; on stop they go back to the queue unhandled', async () => {
    s = await startTestServer();
    const admin = new Admin({ url: s.url });
    await admin.setInterests('q', '*');
    await new Publisher({ url: s.url, publisher: 'p' }).publishMany([0, 1, 2, 3, 4, 5].map((n) => ({ data: { n } })));
    const handled: number[] = [];
    let release!: () => void;
    const released = new Promise<void>((r) => { release = r; });
    worker = new Worker({
      url: s.url, queues: [{ name: 'q', concurrency: 1, prefetch: 3 }], waitSeconds: 1,
      handler: async (task) => { handled.push(task.data.n as number); await released; },
    });
    await worker.start();
    await until('one running, three waiting here', () => worker!.stats().q!.running === 1 && worker!.stats().q!.waiting === 3);
    assert.equal((await s.api.status('?queue=q')).counts.started, 4, 'the broker leased the prefetched ones too');
    const stopping = worker.stop({ timeoutMs: 5000 });
    release();
    await stopping;
    assert.deepEqual(handled, [0], 'a task waiting for a slot is not started once stop begins');
    const counts = (await s.api.status('?queue=q')).counts;
    assert.deepEqual([counts.succeeded, counts.ready, counts.started], [1, 5, 0], 'the waiting ones are back, ready for another worker');
    worker = undefined;
  });

  it('a broker killed (-9) and restarted mid-run loses no report; every task completes exactly once', async () => {
    const dbFile = path.join(tempDir(), 'sdk-kill.db');
    const port = await freePort();
    const env = { PORT: String(port), SWITCHYARD_SYNC: 'full' };
    broker = await spawnBroker(dbFile, env);
    const admin = new Admin({ url: broker.url });
    await admin.setInterests('jobs', '*');
    // Claims answered as the broker died come back after this lease, so it is short; but longer than
    // the restart (a few seconds on Couchbase), or a task whose report waits out the restart would be
    // handed out again.
    await admin.setQueuePolicy('jobs', { leaseSeconds: 10 });
    const total = 300;
    const published = await new Publisher({ url: broker.url, publisher: 'p' }).publishMany(Array.from({ length: total }, (_, n) => ({ data: { n } })));
    const handled = new Map<string, number>();
    worker = new Worker({
      url: broker.url, queues: [{ name: 'jobs', concurrency: 8 }], waitSeconds: 1, retryForMs: 60_000,
      handler: async (task) => { handled.set(task.taskId, (handled.get(task.taskId) ?? 0) + 1); await new Promise((r) => setImmediate(r)); },
    });
    worker.on('error', () => undefined);
    await worker.start();
    await until('a third handled', () => handled.size >= total / 3);
    broker.proc.kill('SIGKILL');
    await broker.exited;
    broker = await spawnBroker(dbFile, env);
    await until('every task succeeded', async () => (await new Admin({ url: broker!.url }).status({ queue: 'jobs' }) as { counts: { succeeded: number } }).counts.succeeded === total, 60_000, 200);
    assert.equal(handled.size, total);
    assert.deepEqual([...handled.values()].filter((n) => n !== 1), [], 'no task handled twice');
    assert.equal(new Set(published.map((p) => p.eventId)).size, total);
  });

  it('a publish whose answer is lost with the connection is retried with the same key and stored once', async () => {
    s = await startTestServer();
    await s.api.interest('q', '*');
    // A proxy that forwards the first request to the broker, waits for its answer, then drops the
    // connection instead of passing the answer on: the broker stored the event, the client never heard.
    let dropped = 0;
    const target = new URL(s.url);
    const proxy = http.createServer((req, res) => {
      const fwd = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        if (dropped++ === 0) { answer.resume(); answer.on('end', () => req.socket.destroy()); return; }
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      });
      req.pipe(fwd);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const publisher = new Publisher({ url: `http://127.0.0.1:${(proxy.address() as { port: number }).port}`, publisher: 'p' });
      const answer = await publisher.publish({ data: { once: true } });
      assert.equal(dropped, 2, 'the first answer was dropped, the retry answered');
      assert.equal(answer.replayed, true, 'the retry replayed the first answer');
      assert.equal((await s.api.status('?queue=q')).counts.ready, 1, 'stored once');
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });

  it('publishes made in one tick go in one request, each caller gets its own answer; refusals are typed', async () => {
    s = await startTestServer();
    await s.api.interest('q', '*');
    // Batches of at most 100 here (1,000 by default: one such transaction is more than the Couchbase mock takes).
    const publisher = new Publisher({ url: s.url, publisher: 'p', maxBatch: 100 });
    const answers = await Promise.all(Array.from({ length: 250 }, (_, n) => publisher.publish({ data: { n } })));
    assert.equal(publisher.requests, 3, '250 publishes in one tick: three batches of at most 100');
    assert.equal(new Set(answers.map((a) => a.eventId)).size, 250);
    const first = (await s.api.status(`?task=${answers[0]!.tasks[0]!.taskId}`)).task;
    assert.deepEqual(first.data, { n: 0 }, 'each caller\'s answer is its own event');
    const mixed = await Promise.allSettled([publisher.publish({ data: { ok: true } }), publisher.publish({ data: { bad: 1 }, priority: 1.5 })]);
    assert.equal(mixed[0].status, 'fulfilled', 'a refused neighbour does not sink a good event');
    assert.equal(mixed[1].status, 'rejected');
    const e = (mixed[1] as PromiseRejectedResult).reason as SwitchyardError;
    assert.ok(e instanceof SwitchyardError);
    assert.deepEqual([e.status, e.code], [400, 'invalid_input']);
    assert.equal((await s.api.status('?queue=q')).counts.ready, 251);
  });
});
