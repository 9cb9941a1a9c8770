// StatsD out: a broker with STATSD_HOST sends its counters, timers and gauges to a real UDP listener
// on this machine, plain (the queue in the name) or DogStatsD-tagged; a StatsD that is not there
// (no listener, or a name that does not resolve) changes nothing for the broker's answers.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/until.js';

/** A StatsD stand-in: every metric line received, in order. */
async function listener(): Promise<{ port: number; lines: string[]; close: () => Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  const lines: string[] = [];
  socket.on('message', (m) => lines.push(...m.toString('utf8').split('\n').filter(Boolean)));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return { port: socket.address().port, lines, close: () => new Promise((r) => socket.close(() => r())) };
}

/** The sum of a counter's values over every line with this name (and these tags). */
const total = (lines: string[], name: string, tags = '') =>
  lines.filter((l) => l.startsWith(`${name}:`) && l.includes('|c') && l.endsWith(tags)).reduce((n, l) => n + Number(l.slice(name.length + 1).split('|')[0]), 0);

describe('StatsD metrics', () => {
  let s: TestServer | undefined;
  let udp: Awaited<ReturnType<typeof listener>> | undefined;
  afterEach(async () => { await s?.stop(); await udp?.close(); s = undefined; udp = undefined; });

  async function work(server: TestServer) {
    await server.api.interest('mail', '*');
    await server.api.call('PATCH', '/queue', { queue: 'mail', maxAttempts: 2, backoffSeconds: 0 });
    for (let n = 0; n < 3; n++) await server.api.publish({ n });
    const w = await server.api.worker('mail');
    const [a, b, c] = [await server.api.take(w), await server.api.take(w), await server.api.take(w)];
    await server.api.report(w, a.taskId, 'success');
    await server.api.report(w, b.taskId, 'success');
    await server.api.report(w, c.taskId, 'fail', { failReason: 'once' }); // retried: attempts left
    const again = await until('the retry is back', () => server.api.take(w));
    await server.api.report(w, again.taskId, 'fail', { failReason: 'twice' }); // failed for good
  }

  it('sends per-queue counters, timers and gauges to plain StatsD, the queue in the name', async () => {
    udp = await listener();
    s = await startTestServer({ STATSD_HOST: '127.0.0.1', STATSD_PORT: String(udp.port), STATSD_INTERVAL: '0.2' });
    await work(s);
    const l = udp.lines;
    await until('every count arrived', () =>
      total(l, 'switchyard.queue.mail.published') === 3 && total(l, 'switchyard.queue.mail.started') === 4 &&
      total(l, 'switchyard.queue.mail.succeeded') === 2 && total(l, 'switchyard.queue.mail.retried') === 1 &&
      total(l, 'switchyard.queue.mail.failed') === 1);
    assert.equal(l.filter((x) => /^switchyard\.queue\.mail\.duration:[\d.]+\|ms$/.test(x)).length, 4, 'a time per finished attempt');
    assert.equal(l.filter((x) => /^switchyard\.queue\.mail\.wait:[\d.]+\|ms$/.test(x)).length, 4, 'a wait per start');
    await until('gauges: the queue is empty, one worker', () => l.includes('switchyard.queue.mail.length:0|g') && l.includes('switchyard.workers:1|g'));
  });

  it('with STATSD_TAGS, the queue and the given tags are DogStatsD tags', async () => {
    udp = await listener();
    s = await startTestServer({ STATSD_HOST: '127.0.0.1', STATSD_PORT: String(udp.port), STATSD_PREFIX: 'sy.', STATSD_TAGS: 'env:test,region:eu', STATSD_INTERVAL: '0.2' });
    await s.api.interest('mail', '*');
    await s.api.publish({ n: 1 });
    await until('the tagged count', () => total(udp!.lines, 'sy.tasks.published', '|#env:test,region:eu,queue:mail') === 1);
    await until('the tagged gauge', () => udp!.lines.includes('sy.queue.length:1|g|#env:test,region:eu,queue:mail'));
    assert.equal(udp.lines.filter((x) => x.includes('queue.mail.')).length, 0, 'no queue in any name');
  });

  it('a StatsD that is not there changes nothing: every publish and report is answered as without it', async () => {
    for (const host of ['127.0.0.1', 'statsd.invalid']) {
      // Port 9 (discard): nothing listens, each datagram is refused; a name that never resolves.
      s = await startTestServer({ STATSD_HOST: host, STATSD_PORT: '9', STATSD_INTERVAL: '0.2' });
      await work(s);
      const counts = (await s.api.status('?queue=mail')).counts;
      assert.deepEqual([counts.succeeded, counts.failed], [2, 1], host);
      await s.stop();
      s = undefined;
    }
  });
});
