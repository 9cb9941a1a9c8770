// The README is part of the product: its error table lists exactly the catalog, and its curl
// walkthrough works as pasted against a real broker.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { ERRORS } from '../../src/errors.js';
import { ROLE_OF } from '../../src/security/access.js';
import { spawnBroker } from '../helpers/process.js';
import { startTestServer, tempDir } from '../helpers/server.js';
import { readme, readmeBlock, readmeVerifySwitchyard } from '../helpers/readme.js';
import { createHmac } from 'node:crypto';

/** Every key path of a JSON value (objects by key, the first item of an array as [0]), sorted. */
function shape(v: unknown, at = ''): string[] {
  if (Array.isArray(v)) return v.length ? shape(v[0], `${at}[0]`) : [`${at}[]`];
  if (v !== null && typeof v === 'object') {
    // data and route.interest are the user's own: their keys are not the API's shape
    return Object.entries(v).flatMap(([k, x]) => [`${at}.${k}`, ...(['data', 'interest'].includes(k) ? [] : shape(x, `${at}.${k}`))]).sort();
  }
  return [];
}


describe('README', () => {
  it('lists exactly the error codes of the catalog, each with its status', () => {
    const section = readme.split('### Error codes')[1]!.split('\n## ')[0]!;
    const rows = [...section.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
    assert.deepEqual(Object.fromEntries(rows), { ...ERRORS });
  });

  it('the roles table names exactly the calls each role may make', () => {
    const table = readme.split('| role | may call |')[1]!.split('\n\n')[0]!;
    const calls = (role: string) => [...(new RegExp(`^\\| \`${role}\` \\| (.*) \\|$`, 'm').exec(table)?.[1] ?? '').matchAll(/`([A-Z]+)? ?(\/[a-z/-]*)`/g)]
      .reduce<string[]>((out, m) => { const method = m[1] ?? out.at(-1)?.split(' ')[0]; return [...out, `${method} ${m[2]}`]; }, []);
    for (const role of ['publish', 'work']) {
      assert.deepEqual(calls(role).sort(), Object.entries(ROLE_OF).filter(([, r]) => r === role).map(([k]) => k).sort(), role);
    }
  });

  it('the Security section\'s token example works as pasted, on a broker listening on 0.0.0.0', async (t) => {
    if (spawnSync('curl', ['--version']).status !== 0) { t.skip('skipped: curl is not installed'); return; }
    if (spawnSync('openssl', ['version']).status !== 0) { t.skip('skipped: openssl is not installed (.ci/run installs it)'); return; }
    const block = readmeBlock('**Tokens and roles.**', 'sh');
    const adminToken = spawnSync('bash', ['-c', `${block.split('\n')[0]}\necho $SWITCHYARD_ADMIN_TOKEN`], { encoding: 'utf8' }).stdout.trim();
    assert.match(adminToken, /^[0-9a-f]{48}$/);
    const b = await spawnBroker(path.join(tempDir(), 'sec.db'), { HOST: '0.0.0.0', SWITCHYARD_ADMIN_TOKEN: adminToken });
    try {
      const port = new URL(b.url).port;
      // The broker is started here (with the token the first line made), not by the block's own lines.
      const script = block.split('\n').filter((l) => !l.includes('npm start') && !l.startsWith('export ')).join('\n').replaceAll('localhost:8080', `localhost:${port}`);
      const r = spawnSync('bash', ['-euo', 'pipefail', '-c', script], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, SWITCHYARD_ADMIN_TOKEN: adminToken } });
      assert.equal(r.status, 0, r.stderr);
      const made = JSON.parse(r.stdout);
      assert.deepEqual([made.name, made.role, made.queues], ['mailer', 'work', ['email']]);
      assert.match(made.token, /^sy_/);
      assert.equal(spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `http://localhost:${port}/status`], { encoding: 'utf8' }).stdout, '401');
    } finally {
      b.proc.kill('SIGKILL');
      await b.exited;
    }
  });

  it('the curl walkthrough works as pasted', async (t) => {
    if (spawnSync('curl', ['--version']).status !== 0) { t.skip('skipped: curl is not installed'); return; }
    const block = readme.split('Walkthrough')[1]!.split('```sh\n')[1]!.split('```')[0]!;
    const b = await spawnBroker(path.join(tempDir(), 'readme.db'));
    try {
      const script = block.replaceAll('http://127.0.0.1:8080', b.url);
      const r = spawnSync('bash', ['-euo', 'pipefail', '-c', script], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /"state":"succeeded"/);
      assert.match(r.stdout, /"state":"failed"/);
      assert.match(r.stdout, /"total":1,"tasks":\[\{[^]*"failReason":"points service down"/);
      assert.match(r.stdout, /\{"retried":1\}/);
      const first = JSON.parse(spawnSync('curl', ['-s', `${b.url}/status?queue=email`], { encoding: 'utf8' }).stdout);
      assert.equal(first.counts.succeeded, 1, 'email was taken first, as the worker ranks it');
    } finally {
      b.proc.kill('SIGKILL');
      await b.exited;
    }
  });

  it('the interests example: pairs are OR\'d, so one matching pair routes the event', async (t) => {
    if (spawnSync('curl', ['--version']).status !== 0) { t.skip('skipped: curl is not installed'); return; }
    const s = await startTestServer();
    try {
      const script = readmeBlock("### Interest pairs are OR'd", 'sh').replaceAll('http://127.0.0.1:8080', s.url);
      // Not spawnSync: this broker runs in this process and must answer while curl waits.
      const r = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], { encoding: 'utf8', timeout: 30_000 });
      const answer = JSON.parse(r.stdout);
      const q = answer.queues.find((x: { queue: string }) => x.queue === 'fr-welcome');
      assert.deepEqual([q.matched, q.interest.field], [true, 'country']);
      // The clause form beside it: both fields must hold, and the dry run says which did not.
      const setup = script.split('\n')[0]!;
      const clauses = readmeBlock("### Interest pairs are OR'd", 'sh', 1).replaceAll('http://127.0.0.1:8080', s.url);
      const r2 = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', `${setup}\n${clauses}`], { encoding: 'utf8', timeout: 30_000 });
      const q2 = JSON.parse(r2.stdout).queues.find((x: { queue: string }) => x.queue === 'fr-welcome');
      assert.deepEqual([q2.matched, q2.why], [false, 'clause 0: type "^userCreated$" does not hold (value "userDeleted")']);
      assert.equal(clauses.split('# → ')[1]!.trim(), `"matched":false,"why":${JSON.stringify(q2.why)}`, 'the comment shows the answer');
    } finally {
      await s.stop();
    }
  });

  it('the JSON examples of the task and of GET /status have exactly the shape the broker answers', async () => {
    const s = await startTestServer();
    try {
      await s.api.interest('email', { type: '^userCreated$' });
      const w = await s.api.worker(['email'], 'mailer-1');
      await s.api.publish({ type: 'userCreated', user: { email: 'ann@example.com' } }, { maxAttempts: 2 });
      const taken = (await s.api.call('GET', `/task?workerId=${w}`)).body;
      await s.api.report(w, taken.task.taskId, 'fail', { failReason: 'smtp timeout' });
      const status = await s.api.status(`?task=${taken.task.taskId}`);
      const overview = await s.api.status();
      const example = (nth: number) => JSON.parse(readmeBlock('### The task, field by field', 'json', nth));
      assert.deepEqual(shape(example(0)), shape(taken), 'GET /task');
      assert.deepEqual(shape(example(1)), shape(status), 'GET /status?task=');
      assert.deepEqual(shape(example(2)), shape(overview), 'GET /status');
      // every field the task answers is explained in the README's tables
      const section = readme.split('### The task, field by field')[1]!.split('\n## ')[0]!;
      for (const key of Object.keys(status.task)) assert.match(section, new RegExp(`\`${key}\``), `README explains ${key}`);
    } finally {
      await s.stop();
    }
  });

  it('the push signature check never throws: an unsigned, truncated, forged or old request is refused', () => {
    const verify = readmeVerifySwitchyard();
    const body = '{"taskId":"t"}';
    const now = String(Math.floor(Date.now() / 1000));
    const sign = (ts: string, secret = 's') => 'sha256=' + createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
    assert.equal(verify({ 'switchyard-timestamp': now, 'switchyard-signature': sign(now) }, body, 's'), true);
    assert.equal(verify({}, body, 's'), false, 'unsigned');
    assert.equal(verify({ 'switchyard-timestamp': now, 'switchyard-signature': sign(now).slice(0, 20) }, body, 's'), false, 'truncated');
    assert.equal(verify({ 'switchyard-timestamp': now, 'switchyard-signature': sign(now, 'other') }, body, 's'), false, 'forged');
    const old = String(Math.floor(Date.now() / 1000) - 3600);
    assert.equal(verify({ 'switchyard-timestamp': old, 'switchyard-signature': sign(old) }, body, 's'), false, 'replayed');
  });

  it('the Clients section\'s CLI lines work as written (all but work, which runs until stopped: cli.test.ts runs it)', async () => {
    const s = await startTestServer();
    try {
      const bin = path.resolve(import.meta.dirname, '..', '..', 'bin', 'switchyard.mjs');
      const cwd = tempDir();
      writeFileSync(path.join(cwd, 'events.jsonl'), `${JSON.stringify({ data: { type: 'userCreated', email: 'bo@example.com' } })}\n`);
      await s.api.interest('email', { type: '^userCreated$' });
      const lines = readmeBlock('**CLI**', 'sh').split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l.startsWith('npx switchyard '));
      assert.equal(lines.length, 6);
      for (const line of lines.filter((l) => !l.startsWith('npx switchyard work '))) {
        // The shell's quoting, as a user's shell would read it; npx switchyard is bin/switchyard.mjs.
        // Not spawnSync: the broker answering it runs in this process.
        await promisify(execFile)('sh', ['-c', line.replace(/^npx switchyard/, `"${process.execPath}" "${bin}"`)], { cwd, env: { ...process.env, SWITCHYARD_URL: s.url } });
      }
      assert.equal((await s.api.status('?queue=email')).counts.ready, 2, 'both publish lines published');
    } finally {
      await s.stop();
    }
  });

  it('the Export and import lines work as written: the new broker ends up with the old one\'s tasks', async () => {
    const [old, fresh] = [await startTestServer(), await startTestServer()];
    try {
      const bin = path.resolve(import.meta.dirname, '..', '..', 'bin', 'switchyard.mjs');
      const cwd = tempDir();
      await old.api.interest('email', { type: '^userCreated$' });
      for (let n = 0; n < 3; n++) await old.api.publish({ type: 'userCreated', n });
      const lines = readmeBlock('## Export and import', 'sh').split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l.startsWith('npx switchyard '));
      assert.equal(lines.length, 2);
      for (const line of lines) {
        const command = line.replace(/^npx switchyard/, `"${process.execPath}" "${bin}"`).replace('http://old:8080', old.url).replace('http://new:8080', fresh.url);
        await promisify(execFile)('sh', ['-c', command], { cwd });
      }
      assert.equal((await fresh.api.status('?queue=email')).counts.ready, 3);
    } finally {
      await old.stop();
      await fresh.stop();
    }
  });
});
