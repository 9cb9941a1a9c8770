#!/usr/bin/env node
// The SDK's own drain rate beside the raw HTTP one, on the built broker (dist/) over a scratch SQLite
// file: N tasks waiting, drained (a) by 16 raw clients each claiming 100 and reporting them in one
// batch, (b) by one SDK Worker with concurrency 16 (switchyard/client). Reps interleave; it prints
// one JSON line (peer switchyard-sdk) with both rates per rep and the SDK/raw ratio, the worst rep's
// too. N=20000 REPS=3 by default; bench/run.mjs runs it and tables the target (SDK ≥ 0.8 of raw).
// Each rep also times `switchyard publish --file` of a CLI_LINES-line file (100,000): events a second.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { Worker } = await import(path.join(root, 'dist', 'src', 'client', 'index.js'));
const N = Number(process.env.N ?? 20000);
const REPS = Number(process.env.REPS ?? 3);
const CLI_LINES = Number(process.env.CLI_LINES ?? 100_000);

const freePort = () => new Promise((res) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });

async function withBroker(fn) {
  const port = await freePort();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'switchyard-sdk-drain-'));
  const child = spawn(process.execPath, [path.join(root, 'dist', 'src', 'main.js')], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', SWITCHYARD_DB: path.join(scratch, 'sy.db'), LOG_LEVEL: 'warn', SWITCHYARD_RATE_LIMIT: '0' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; i < 100; i++) { try { if ((await fetch(`${url}/healthz`)).ok) break; } catch { /* starting */ } await new Promise((r) => setTimeout(r, 100)); }
    return await fn(url);
  } finally {
    child.kill('SIGKILL');
    rmSync(scratch, { recursive: true, force: true });
  }
}

const json = async (url, method, p, body) => {
  const res = await fetch(url + p, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  return res.json();
};

async function fill(url) {
  await json(url, 'PUT', '/interest', { queue: 'drain', interests: '*' });
  for (let i = 0; i < N; i += 1000) await json(url, 'PUT', '/tasks', { events: Array.from({ length: Math.min(1000, N - i) }, (_, k) => ({ publisher: 'bench', data: { n: i + k } })) });
}

/** Tasks a second: 16 raw clients, claim 100, report them in one batch, until the queue is empty. */
async function rawDrain(url) {
  await fill(url);
  const t0 = performance.now();
  let done = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    const { workerId } = await json(url, 'PUT', '/worker', { queues: ['drain'] });
    for (;;) {
      const { tasks } = await json(url, 'GET', `/task?workerId=${workerId}&count=100`);
      if (!tasks.length) return;
      await json(url, 'POST', '/tasks', { workerId, reports: tasks.map((t) => ({ taskId: t.taskId, state: 'success' })) });
      done += tasks.length;
    }
  }));
  return done / ((performance.now() - t0) / 1000);
}

/** Tasks a second: one SDK Worker, concurrency 16, a handler that does nothing. */
async function sdkDrain(url) {
  await fill(url);
  const t0 = performance.now();
  let done = 0;
  const worker = new Worker({ url, queues: [{ name: 'drain', concurrency: 16 }], waitSeconds: 1, handler: () => undefined });
  const all = new Promise((resolve) => worker.on('completed', () => { if (++done === N) resolve(); }));
  await worker.start();
  await all;
  const rate = N / ((performance.now() - t0) / 1000);
  await worker.stop();
  return rate;
}

/** Events a second: the CLI publishing a JSON-lines file (batches of 1,000, its defaults). */
async function cliPublish(url) {
  await json(url, 'PUT', '/interest', { queue: 'bulk', interests: '*' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-cli-bench-'));
  const file = path.join(dir, 'events.jsonl');
  writeFileSync(file, Array.from({ length: CLI_LINES }, (_, n) => JSON.stringify({ data: { kind: 'bulk', n } })).join('\n') + '\n');
  try {
    const child = spawn(process.execPath, [path.join(root, 'bin', 'switchyard.mjs'), 'publish', '--url', url, '--file', file, '--publisher', 'bench'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => { out += c; });
    const t0 = performance.now();
    const code = await new Promise((r) => child.on('exit', r));
    const seconds = (performance.now() - t0) / 1000;
    if (code !== 0 || !out.includes(`published ${CLI_LINES} events`)) throw new Error(`switchyard publish failed (${code}): ${out}`);
    return CLI_LINES / seconds;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const reps = [];
for (let rep = 1; rep <= REPS; rep++) {
  const raw = await withBroker(rawDrain);
  const sdk = await withBroker(sdkDrain);
  const cli = await withBroker(cliPublish);
  reps.push({ rep, raw, sdk, ratio: sdk / raw, cliPublish: cli });
  console.error(`rep ${rep}: raw batch drain ${Math.round(raw)}/s, SDK Worker (concurrency 16) ${Math.round(sdk)}/s: ${(sdk / raw).toFixed(2)}; switchyard publish --file ${Math.round(cli)} events/s`);
}
const median = (v) => { const s = [...v].sort((a, b) => a - b); return s[s.length >> 1]; };
console.log(JSON.stringify({
  peer: 'switchyard-sdk', run: process.env.BENCH_RUN_ID ?? null, n: N, reps,
  metrics: { drain_raw_b100_c16: median(reps.map((r) => r.raw)), drain_sdk_c16: median(reps.map((r) => r.sdk)), cli_publish_file: median(reps.map((r) => r.cliPublish)) },
  ratioMedian: median(reps.map((r) => r.ratio)), ratioWorst: Math.min(...reps.map((r) => r.ratio)),
}));
