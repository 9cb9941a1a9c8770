#!/usr/bin/env node
// Runs every test file with node's test runner (TypeScript through tsx). Node 20's --test takes no
// globs, so the files are listed here. Suites that cannot run here (no Couchbase, no Chromium) say so.
import { readdirSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dirs = ['unit', 'store-contract', 'http', 'browser'];
const only = process.argv.slice(2);
const files = dirs.flatMap((d) => {
  const dir = path.join(root, 'test', d);
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.test.ts')).map((f) => path.join('test', d, f)) : [];
}).filter((f) => only.length === 0 || only.some((o) => f.includes(o)));

// The SDK's tests import it as a user does ('switchyard/client', the package's export map), which
// points at the compiled dist/: build it first when a source changed.
if (spawnSync(process.execPath, [path.join(root, 'bin', 'build-if-changed.mjs')], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);

// The browser suite skips itself without Chromium; say so up front, where nobody can miss it.
const chromium = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
if (files.some((f) => f.includes('browser'))) {
  console.log(chromium ? `# browser tests: run in headless ${chromium}` : '# browser tests: SKIPPED, Chromium not found (apt-get install chromium; .ci/run does)');
}

// Which store the Couchbase runs use, or that they are skipped.
console.log(process.env.COUCHBASE_CONNSTR
  ? `# Couchbase: contract, HTTP and three-node suites run against ${process.env.COUCHBASE_CONNSTR} (the SQLite ones too)`
  : '# Couchbase: contract, HTTP and three-node suites skipped (COUCHBASE_CONNSTR not set); the SQLite ones run');

// The outage test freezes the whole Couchbase mock (SIGSTOP) for seconds: it runs alone, after the
// rest, so no other suite's requests stall behind it.
const alone = files.filter((f) => f.includes('couchbase-outage'));
const together = files.filter((f) => !alone.includes(f));
const run = (list, concurrency) => (list.length === 0 ? 0 : spawnSync(process.execPath, ['--import', 'tsx', '--import', './test/helpers/leak-guard.mjs', '--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, ...list], {
  cwd: root, stdio: 'inherit', env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'error' },
}).status ?? 1);
const first = run(together, 2);
const second = run(alone, 1);
process.exit(first || second);
