// The `switchyard` command against a real broker: status, publish (one event, and a 100,000-line
// file), failed list|retry|delete, work --exec with commands that succeed, fail and hang, --help.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/until.js';
import { freePort } from '../helpers/process.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'switchyard.mjs');

describe('the switchyard command', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer(); });
  after(() => s.stop());

  // Not execFileSync: the broker answering it runs in this process.
  const run = (args: string[], input?: string, url = s.url) => new Promise<{ code: number; out: string; err: string }>((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { env: { ...process.env, SWITCHYARD_URL: url }, maxBuffer: 10_000_000 }, (e, out, err) => {
      resolve({ code: e ? (e as { code?: number }).code ?? 1 : 0, out, err });
    });
    child.stdin!.end(input);
  });

  it('--help works on every command', async () => {
    for (const cmd of [[], ['serve'], ['publish'], ['status'], ['failed'], ['failed', 'list'], ['failed', 'retry'], ['failed', 'delete'], ['work'], ['token']]) {
      const r = await run([...cmd, '--help']);
      assert.equal(r.code, 0, `${cmd.join(' ')} --help: ${r.err}`);
      assert.match(r.out + r.err, /usage/i, cmd.join(' '));
    }
  });

  it('publishes one event from flags, shows queues as a table and as JSON, and says what is wrong', async () => {
    await s.api.interest('mail', { type: '^signup$' });
    const one = await run(['publish', '--publisher', 'cli', '--data', '{"type":"signup","email":"a@example.com"}']);
    assert.equal(one.code, 0, one.err);
    assert.match(one.out, /^enqueued: event \S+, 1 task\(s\) in mail$/m);
    const table = await run(['status']);
    assert.match(table.out, /^queue\s+ready\s+scheduled\s+started\s+failed\s+succeeded\s+held$/m);
    assert.match(table.out, /^mail\s+1\s+0\s+0\s+0\s+0$/m);
    const json = JSON.parse((await run(['status', '--json'])).out);
    assert.equal(json.queues.find((q: { name: string }) => q.name === 'mail').counts.ready, 1);
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const bad = await run(['publish', '--data', '{"type":"signup"}', '--publisher', 'cli', '--url', nobody]);
    assert.equal(bad.code, 1);
    assert.equal(bad.err, `switchyard: cannot reach ${nobody}: ECONNREFUSED\n`);
    const notJson = await run(['publish', '--publisher', 'cli', '--data', 'nope']);
    assert.deepEqual([notJson.code, /--data is not JSON/.test(notJson.err)], [1, true]);
  });

  it('publishes a 100,000-line file in batches and sums it up; refused lines are counted, not fatal', async () => {
    // On SQLite even in a Couchbase run: this tests the command's batching. The gocaves mock keeps
    // every document in memory at some 10 ms a transaction; 100,000 events grew it past 5 GB of RSS
    // over 15 minutes and starved the suites beside it. Bulk publishing into Couchbase is the store
    // contract's and the three-node test's.
    const bulk = await startTestServer({}, { sqlite: true });
    try {
      await bulk.api.interest('bulk', { kind: '^bulk$' });
      const file = path.join(tempDir(), 'events.jsonl');
      const lines = Array.from({ length: 100_000 }, (_, n) => JSON.stringify({ data: { kind: 'bulk', n } }));
      lines.splice(500, 0, '{broken', JSON.stringify({ data: 'not an object' }));
      writeFileSync(file, `${lines.join('\n')}\n`);
      const r = await run(['publish', '--file', file, '--publisher', 'bulk-cli'], undefined, bulk.url);
      assert.match(r.out, /^published 100000 events \(100000 tasks\) in [\d.]+ s, \d+\/s; 2 refused$/m, r.err);
      assert.equal(r.code, 1, 'refused lines make the exit code 1');
      assert.match(r.err, /line 501: not JSON/);
      assert.equal((await bulk.api.status('?queue=bulk')).counts.ready, 100_000);
      const piped = await run(['publish', '--publisher', 'pipe'], `${JSON.stringify({ data: { kind: 'bulk', n: -1 } })}\n`, bulk.url);
      assert.match(piped.out, /^published 1 events \(1 tasks\)/m, piped.err);
    } finally {
      await bulk.stop();
    }
  });

  it('lists, retries and deletes failed tasks with the API\'s filters', async () => {
    await s.api.interest('flaky', { kind: '^flaky$' });
    await s.api.call('PATCH', '/queue', { queue: 'flaky', maxAttempts: 1 });
    const w = await s.api.worker(['flaky']);
    for (const who of ['ann', 'bob', 'cy']) {
      await s.api.publish({ kind: 'flaky', who });
      const t = await s.api.take(w);
      await s.api.report(w, t.taskId, 'fail', { failReason: who === 'bob' ? 'mailbox full' : 'timeout' });
    }
    const list = await run(['failed', 'list', '--reason', 'timeout']);
    assert.match(list.out, /^2 failed$/m, list.err);
    assert.equal(list.out.split('\n').filter((l) => / flaky /.test(l)).length, 2);
    const json = JSON.parse((await run(['failed', 'list', '--search', 'bob', '--json'])).out);
    assert.deepEqual(json.tasks.map((t: { failReason: string }) => t.failReason), ['mailbox full']);
    assert.match((await run(['failed', 'retry', '--all', '--search', 'bob', '--to-queue', 'manual'])).out, /^retried 1$/m);
    const none = await run(['failed', 'delete']);
    assert.deepEqual([none.code, /--ids a,b or --all/.test(none.err)], [1, true]);
    assert.match((await run(['failed', 'delete', '--ids', json.tasks[0].taskId])).out, /^deleted 0$/m, 'already retried');
    assert.match((await run(['failed', 'delete', '--all', '--queue', 'flaky'])).out, /^deleted 2$/m);
    assert.equal((await s.api.status('?queue=manual')).counts.ready, 1);
  });

  it('work --exec runs a command per task: exit 0 succeeds, a failure keeps stderr\'s end, a hung one ends on SIGTERM', async () => {
    await s.api.interest('jobs', { job: '.' });
    await s.api.call('PATCH', '/queue', { queue: 'jobs', maxAttempts: 1 });
    const script = path.join(tempDir(), 'job.sh');
    // The task arrives as JSON on stdin.
    writeFileSync(script, [
      'task=$(cat)',
      'case "$task" in',
      '  *\'"job":"ok"\'*) echo \'{"sent":true}\' ;;',
      '  *\'"job":"bad"\'*) echo "connecting" >&2; echo "smtp refused the address" >&2; exit 3 ;;',
      '  *) sleep 600 ;;',
      'esac',
    ].join('\n'));
    const ok = (await s.api.publish({ job: 'ok' })).tasks[0].taskId;
    const bad = (await s.api.publish({ job: 'bad' })).tasks[0].taskId;
    const hung = (await s.api.publish({ job: 'hang' })).tasks[0].taskId;
    const work = spawn(process.execPath, [BIN, 'work', '--queues', 'jobs', '--concurrency', '3', '--exec', `sh ${script}`, '--stop-timeout', '1'],
      { env: { ...process.env, SWITCHYARD_URL: s.url }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    work.stderr.on('data', (d) => { err += d; });
    const exited = new Promise<number | null>((r) => work.once('exit', (code) => r(code)));
    const task = async (id: string) => (await s.api.status(`?task=${id}`)).task;
    await until(`ok and bad done, hung started (${err})`, async () => (await task(ok)).state === 'succeeded' && (await task(bad)).state === 'failed' && (await task(hung)).state === 'started');
    assert.deepEqual((await task(ok)).result, { sent: true });
    assert.equal((await task(bad)).failReason, 'exit 3: connecting\nsmtp refused the address');
    work.kill('SIGTERM');
    assert.equal(await exited, 0, err);
    assert.equal((await task(hung)).state, 'failed');
    assert.match((await task(hung)).failReason, /killed by SIGTERM/);
    assert.equal((await s.api.status('?workers')).workers.length, 1, 'the work process removed itself (the failed-list worker stays)');
  });
});
