// The package as a user gets it: `npm pack`, installed into an empty directory with `npm install
// ./switchyard-<version>.tgz`, runs `npx switchyard serve`, and a script there imports Worker,
// Publisher and Admin from 'switchyard/client' and works a task through that broker.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/process.js';
import { tempDir } from '../helpers/server.js';
import { until } from '../helpers/until.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);
// The installed dependencies are kept between runs (the first install builds better-sqlite3, about
// two minutes); each run installs the freshly packed switchyard over them.
const APP = path.join(ROOT, 'node_modules', '.cache', 'switchyard-package-test');

const SCRIPT = `
import { Admin, Publisher, Worker } from 'switchyard/client';
await new Admin().setInterests('greet', '*');
const published = await new Publisher({ publisher: 'package-test' }).publish({ data: { name: 'packaged' } });
const worker = new Worker({ queues: ['greet'], waitSeconds: 1, handler: (task) => ({ hello: task.data.name }) });
const done = new Promise((resolve) => worker.once('completed', (task, result) => resolve(result)));
await worker.start();
console.log(JSON.stringify({ eventId: published.eventId, result: await done }));
await worker.stop();
`;

const withoutCouchbase = (env: NodeJS.ProcessEnv) => Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('COUCHBASE_')));

describe('the npm package', () => {
  it('packs, installs into an empty directory, serves with npx switchyard serve, and its client works', async () => {
    const out = tempDir();
    // dist/ is built (test/run.mjs builds first); prepack would rebuild it under the suites running beside this one.
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', out], { cwd: ROOT });
    const tgz = path.join(out, stdout.trim().split('\n').at(-1)!);
    assert.match(path.basename(tgz), /^switchyard-\d+\.\d+\.\d+\.tgz$/);
    if (!existsSync(path.join(APP, 'package.json'))) {
      rmSync(APP, { recursive: true, force: true });
      mkdirSync(APP, { recursive: true });
      writeFileSync(path.join(APP, 'package.json'), JSON.stringify({ name: 'switchyard-package-test', private: true, type: 'module' }));
    }
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-save', tgz], { cwd: APP, maxBuffer: 10_000_000 });
    const installed = JSON.parse(readFileSync(path.join(APP, 'node_modules', 'switchyard', 'package.json'), 'utf8'));
    assert.equal(installed.version, JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
    assert.ok(existsSync(path.join(APP, 'node_modules', 'switchyard', 'dist', 'src', 'client', 'index.d.ts')), 'type declarations are inside');

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const serve = spawn('npx', ['switchyard', 'serve'], {
      // On the embedded store, as a newcomer starts it, whatever cluster the suites around it use.
      cwd: APP, env: { ...withoutCouchbase(process.env), PORT: String(port), HOST: '127.0.0.1', SWITCHYARD_DB: path.join(tempDir(), 'pkg.db'), LOG_LEVEL: 'warn', SWITCHYARD_URL: url },
      // Its own process group: npx runs the broker as a child, and the stop must reach both.
      stdio: ['ignore', 'pipe', 'pipe'], detached: true,
    });
    let log = '';
    serve.stdout.on('data', (d) => { log += d; });
    serve.stderr.on('data', (d) => { log += d; });
    let gone: string | null = null;
    const exited = new Promise<string>((r) => serve.once('exit', (code, signal) => { gone = `${code ?? signal}`; r(gone); }));
    try {
      await until('npx switchyard serve answering', async () => {
        if (gone !== null) throw new Error(`npx switchyard serve ended (${gone}) before answering: ${log}`);
        return (await fetch(`${url}/healthz`).catch(() => null))?.ok;
      }, 30_000, 100);
      writeFileSync(path.join(APP, 'use-client.mjs'), SCRIPT);
      const used = await run(process.execPath, ['use-client.mjs'], { cwd: APP, env: { ...process.env, SWITCHYARD_URL: url } });
      assert.deepEqual(JSON.parse(used.stdout.trim()).result, { hello: 'packaged' });
    } finally {
      // Already gone when it failed to start: the error that says why is the one to keep.
      try { process.kill(-serve.pid!, 'SIGTERM'); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e; }
    }
    // npx ends with the broker (0), or by the same SIGTERM when it is the first to get it.
    assert.match(await exited, /^(0|SIGTERM)$/, log);
    await until('the broker stopped', async () => !(await fetch(`${url}/healthz`).catch(() => null)));
  });
});
