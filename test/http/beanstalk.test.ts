// The beanstalkd protocol, spoken by real npm clients (jackd, fivebeans) to the real listener over
// the store under test: jobs are tasks (HTTP sees and makes them), a connection is a worker, and
// release, bury, kick, touch, peek, stats and pause do what beanstalkd users expect.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import jackdModule, { type JackdClient } from 'jackd';

// A CommonJS class: the default import is the class itself.
const Jackd = jackdModule as unknown as typeof JackdClient;
type Jackd = JackdClient;
import { startTestServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/until.js';

const fivebeans = createRequire(import.meta.url)('fivebeans') as { client: new (host: string, port: number) => FiveBeans };
interface FiveBeans {
  on(event: string, fn: (...a: unknown[]) => void): FiveBeans;
  connect(): void;
  end(): void;
  [command: string]: unknown;
}

/** A fivebeans client with its callback commands as promises. */
async function fiveBeans(port: number) {
  const c = new fivebeans.client('127.0.0.1', port);
  await new Promise<void>((resolve, reject) => { c.on('connect', () => resolve()).on('error', reject).connect(); });
  // Its callbacks give (err, ...values); an error is a reply word such as 'TIMED_OUT'.
  const call = <T = unknown>(name: string, ...args: unknown[]) => new Promise<T>((resolve, reject) => {
    (c[name] as (...a: unknown[]) => void).call(c, ...args, (err: unknown, ...values: unknown[]) => {
      if (err) reject(new Error(String(err)));
      else resolve((values.length > 1 ? values : values[0]) as T);
    });
  });
  return { call, end: () => c.end() };
}

async function jackd(port: number): Promise<Jackd> {
  const c = new Jackd();
  await c.connect({ host: '127.0.0.1', port });
  return c;
}

const yaml = (text: string) => Object.fromEntries(text.split('\n').filter((l) => l.includes(': ')).map((l) => [l.split(': ')[0], l.split(': ').slice(1).join(': ')]));

describe('the beanstalkd protocol', () => {
  let s: TestServer;
  let port: number;
  before(async () => {
    // Sweeps at their production pace: delayed jobs come due, expired leases return.
    s = await startTestServer({ SWITCHYARD_BEANSTALK_PORT: '0' }, { sweepIntervalMs: 1000 });
    port = s.beanstalkPort!;
  });
  after(() => s.stop());

  it('jackd: jobs are tasks; they come out most urgent first, bytes as they went in, HTTP ones too', async () => {
    const producer = await jackd(port);
    await producer.use('emails');
    const ids = [
      await producer.put('low', { priority: 2000 }),
      await producer.put('high', { priority: 5 }),
      await producer.put('héllo ✓\r\n', { priority: 100 }),
      await producer.put('later', { priority: 5000, delay: 1 }),
    ];
    assert.equal(new Set(ids).size, 4);
    for (const id of ids) assert.match(String(id), /^[1-9]\d*$/);
    // Over HTTP they are tasks like any other: counted, listed, routed "direct".
    const q = await s.api.status('?queue=emails');
    assert.deepEqual([q.counts.ready, q.counts.scheduled], [3, 1]);
    const listed = (await s.api.call('GET', '/queue/tasks?queue=emails&state=ready')).body.tasks as { data: unknown; publisher: string; route: { interest: unknown } }[];
    assert.deepEqual(listed.map((t) => t.data).reverse(), [{ body: 'low' }, { body: 'high' }, { body: 'héllo ✓\r\n' }]);
    assert.deepEqual([listed[0]!.publisher, listed[0]!.route.interest], ['beanstalk', 'direct']);
    // A task published over HTTP into the tube is a job too (priority 0: the most urgent).
    await s.api.publish({ to: 'ann@example.com' }, { queue: 'emails' });

    const consumer = await jackd(port);
    assert.equal(await consumer.watch('emails'), 2);
    assert.equal(await consumer.ignore('default'), 1);
    const got: string[] = [];
    for (let n = 0; n < 5; n++) {
      // The delayed one is the least urgent: it comes last, once due, whenever that is.
      const job = await consumer.reserveWithTimeout(n < 4 ? 0 : 10);
      got.push(Buffer.from(job.payload).toString('utf8'));
      await consumer.delete(job.id);
    }
    assert.deepEqual(got, ['{"to":"ann@example.com"}', 'high', 'héllo ✓\r\n', 'low', 'later']);
    await assert.rejects(consumer.reserveWithTimeout(0), /TIMED_OUT/);
    assert.equal((await s.api.status('?queue=emails')).counts.succeeded, 5);
    await producer.disconnect();
    await consumer.disconnect();
  });

  it('jackd: a connection is a worker; release, bury, kick, touch, peek and the stats read the tasks', async () => {
    const c = await jackd(port);
    await c.use('work');
    const id = await c.put('payload', { priority: 7 });
    await c.watch('work');
    await c.ignore('default');
    let job = await c.reserveWithTimeout(5);
    assert.equal(job.id, id);
    const workers = (await s.api.status('?workers=1')).workers as { name: string; queues: string[]; tasks: string[] }[];
    const me = workers.find((w) => w.name.startsWith('beanstalk 127.0.0.1:'));
    assert.deepEqual([me?.queues, me?.tasks.length], [['work'], 1], 'the connection is a worker holding the job');
    await c.touch(id);
    const stats = yaml(await c.statsJob(id));
    assert.deepEqual([stats.id, stats.tube, stats.state, stats.pri, stats.reserves], [String(id), 'work', 'reserved', '7', '1']);
    assert.ok(Number(stats['time-left']) > 0 && Number(stats.ttr) === 300, JSON.stringify(stats));

    await c.release(id, { priority: 7, delay: 0 });
    assert.deepEqual([yaml(await c.statsJob(id)).state, yaml(await c.statsJob(id)).releases], ['ready', '1']);
    assert.equal(Buffer.from((await c.peekReady()).payload).toString(), 'payload');
    job = await c.reserveWithTimeout(5);
    await c.bury(job.id, 7);
    const failed = (await s.api.call('GET', '/failed?queue=work')).body;
    assert.deepEqual([failed.total, failed.tasks[0].failReason, failed.tasks[0].data], [1, 'buried (beanstalkd)', { body: 'payload' }], 'buried is the failed queue');
    assert.equal((await c.peekBuried()).id, id);
    assert.deepEqual([yaml(await c.statsJob(id)).state, yaml(await c.statsJob(id)).buries], ['buried', '1']);
    assert.equal(await c.kick(10), 1);
    assert.deepEqual([yaml(await c.statsJob(id)).state, yaml(await c.statsJob(id)).kicks], ['ready', '1']);

    const tube = yaml(await c.statsTube('work'));
    assert.deepEqual([tube.name, tube['current-jobs-ready'], tube['current-jobs-buried'], tube['current-watching']], ['work', '1', '0', '1']);
    assert.match(await c.listTubes('x'), /^- work$/m);
    assert.equal(await c.listTubeUsed(), 'work');
    assert.match(await c.listTubesWatched('x'), /^---\n- work\n$/);
    assert.match(await c.stats('x'), /^current-jobs-ready: \d+$/m);

    // Reserved and then the connection goes: the job returns, and the worker is gone.
    job = await c.reserveWithTimeout(5);
    await c.disconnect();
    await until('the job to return when its connection closes', async () => (await s.api.status('?queue=work')).counts.ready === 1);
    const after = (await s.api.status('?workers=1')).workers as { name: string }[];
    assert.ok(!after.some((w) => w.name === me!.name), 'the worker went with its connection');
    const again = await jackd(port);
    await again.watch('work');
    assert.equal((await again.peek(id)).id, id);
    await again.delete(id);
    await assert.rejects(again.peek(id), /NOT_FOUND/);
    await again.disconnect();
  });

  it('fivebeans: put, reserve, destroy, bury, kick-job, stats and pause-tube', async () => {
    const c = await fiveBeans(port);
    try {
      assert.equal(await c.call('use', 'five'), 'five');
      const id = await c.call<string>('put', 0, 0, 60, 'one');
      await c.call('put', 0, 0, 60, 'two');
      assert.equal(Number(await c.call('watch', 'five')), 2);
      const [jobId, payload] = await c.call<[string, Buffer]>('reserve');
      assert.deepEqual([jobId, payload.toString()], [id, 'one']);
      await c.call('bury', jobId, 0);
      const tube = await c.call<Record<string, number>>('stats_tube', 'five');
      assert.deepEqual([tube['current-jobs-buried'], tube['current-jobs-ready'], tube['total-jobs']], [1, 1, 2]);
      await c.call('kick_job', jobId);
      assert.equal((await c.call<Record<string, string>>('stats_job', jobId)).state, 'ready');
      assert.ok((await c.call<string[]>('list_tubes')).includes('five'));
      assert.ok(Number((await c.call<Record<string, number>>('stats'))['current-jobs-ready']) >= 2);
      await c.call('pause_tube', 'five', 60);
      assert.equal((await s.api.status('?queue=five')).policy.paused, true, 'pause-tube pauses the queue on every node');
      await assert.rejects(c.call('reserve_with_timeout', 0), /TIMED_OUT/);
      await c.call('pause_tube', 'five', 0);
      assert.equal((await s.api.status('?queue=five')).policy.paused, false);
      for (let n = 0; n < 2; n++) {
        const [j] = await c.call<[string, Buffer]>('reserve_with_timeout', 5);
        await c.call('destroy', j);
      }
      assert.equal((await s.api.status('?queue=five')).counts.succeeded, 2);
    } finally {
      c.end();
    }
  });
});
