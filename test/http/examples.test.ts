// The examples/ programs, run as the README runs them, against a real broker: the publisher routes
// and publishes, the SDK worker and the Python worker (standard library only) take and finish tasks
// and stop cleanly on SIGTERM. The README shows each file as it is (checked here too).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/until.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const example = (name: string) => path.join(ROOT, 'examples', name);

function start(cmd: string, args: string[], url: string) {
  const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, SWITCHYARD_URL: url }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exited, out: () => out };
}

describe('examples/', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer(); });
  after(() => s.stop());

  it('the README shows each example as the file is', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const f of ['worker.ts', 'publisher.ts']) assert.ok(readme.includes(readFileSync(example(f), 'utf8').trim()), `README shows examples/${f}`);
  });

  it('publisher.ts routes userCreated to two queues; worker.ts works both and stops on SIGTERM', async () => {
    const pub = start(process.execPath, ['--import', 'tsx', example('publisher.ts')], s.url);
    assert.equal(await pub.exited, 0, pub.out());
    assert.match(pub.out(), /^event \S+ went to email and points$/m);
    const worker = start(process.execPath, ['--import', 'tsx', example('worker.ts')], s.url);
    await until('both copies succeeded', async () => {
      const [e, p] = await Promise.all([s.api.status('?queue=email'), s.api.status('?queue=points')]);
      return e.counts.succeeded === 1 && p.counts.succeeded === 1;
    });
    const [done] = (await s.api.call('GET', '/queue/tasks?queue=email&state=succeeded')).body.tasks;
    assert.deepEqual(done.result, { sent: 'welcome mail to ann@example.com' });
    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 0, worker.out());
    assert.match(worker.out(), /^worker \S+ is working$/m);
  });

  it('worker.py (python3, standard library only) takes, reports and stops cleanly', async (t) => {
    if (spawnSync('python3', ['--version']).status !== 0) { t.skip('skipped: python3 is not installed'); return; }
    await s.api.interest('py', { lang: '^py$' });
    await s.api.call('PATCH', '/queue', { queue: 'py', maxAttempts: 1 });
    const ok = (await s.api.publish({ lang: 'py' })).tasks[0].taskId;
    const bad = (await s.api.publish({ lang: 'py', fail: true })).tasks[0].taskId;
    const py = spawn('python3', [example('worker.py')], { env: { ...process.env, SWITCHYARD_URL: s.url, QUEUES: 'py' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    py.stdout.on('data', (d) => { out += d; });
    py.stderr.on('data', (d) => { out += d; });
    const exited = new Promise<number | null>((r) => py.once('exit', (code) => r(code)));
    const task = async (id: string) => (await s.api.status(`?task=${id}`)).task;
    await until('both reported', async () => (await task(ok)).state === 'succeeded' && (await task(bad)).state === 'failed');
    assert.deepEqual((await task(ok)).result, { handled_by: 'python', queue: 'py' });
    assert.equal((await task(bad)).failReason, 'asked to fail');
    py.kill('SIGTERM');
    assert.equal(await exited, 0, out);
    assert.match(out, /stopped/);
    assert.equal((await s.api.status('?workers')).workers.length, 0, 'unregistered');
  });
});
