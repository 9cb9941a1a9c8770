#!/usr/bin/env node
// The management page at scale: 1,000 queues, 100 workers, 100,000 failed tasks and 100,000 kept
// unrouted events (the default cap) in a built broker
// (dist/) over a scratch SQLite file, then the median time (5 runs) of every API call a page view
// makes, and how long each view takes to draw in headless Chromium. Nothing here is a pass/fail
// assertion: it shows that the views page and filter on the server as the data grows.
// Run: npm run build && node bench/page-scale.mjs   (FAILED=100000 QUEUES=1000 WORKERS=100 UNROUTED=100000)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const QUEUES = Number(process.env.QUEUES ?? 1000);
const WORKERS = Number(process.env.WORKERS ?? 100);
const FAILED = Number(process.env.FAILED ?? 100_000);
const UNROUTED = Number(process.env.UNROUTED ?? 100_000);

const port = await new Promise((res) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
const scratch = mkdtempSync(path.join(os.tmpdir(), 'switchyard-page-'));
const base = `http://127.0.0.1:${port}`;
// The embedded store, whatever this shell has for Couchbase.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('COUCHBASE_')));
const child = spawn(process.execPath, [path.join(root, 'dist', 'src', 'main.js')], {
  env: { ...env, PORT: String(port), HOST: '127.0.0.1', SWITCHYARD_DB: path.join(scratch, 'sy.db'), LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const log = (...a) => console.error('[page-scale]', ...a);
async function call(method, p, body) {
  const r = await fetch(base + p, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${p} ${r.status} ${text.slice(0, 200)}`);
  return { json: JSON.parse(text), bytes: text.length };
}
const median = (v) => { const s = [...v].sort((a, b) => a - b); return s[s.length >> 1]; };

try {
  for (let i = 0; i < 100; i++) { try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* starting */ } await new Promise((r) => setTimeout(r, 100)); }
  log(`seeding ${QUEUES} queues, ${WORKERS} workers, ${FAILED} failed tasks, ${UNROUTED} unrouted events`);
  for (let q = 0; q < QUEUES; q++) {
    await call('PUT', '/interest', { queue: `queue-${q}`, interests: { kind: `^k${q}$`, 'user\\.id': `^${q}-`, region: `^r${q}$` } });
  }
  await call('PATCH', '/queue', { queue: 'doomed', maxAttempts: 1 });
  await call('PUT', '/interest', { queue: 'doomed', interests: { doomed: '^yes$' } });
  for (let i = 0; i < FAILED; i += 1000) {
    const n = Math.min(1000, FAILED - i);
    await call('PUT', '/tasks', { events: Array.from({ length: n }, (_, j) => ({ publisher: 'seed', data: { doomed: 'yes', user: { id: i + j }, note: `row ${i + j}` } })) });
  }
  const failer = (await call('PUT', '/worker', { queues: ['doomed'], name: 'failer' })).json.workerId;
  for (let left = FAILED; left > 0;) {
    const { tasks } = (await call('GET', `/task?workerId=${failer}&count=100`)).json;
    if (!tasks.length) break;
    await call('POST', '/tasks', { workerId: failer, reports: tasks.map((t) => ({ taskId: t.taskId, state: 'fail', failReason: `upstream said no to ${t.data.user.id}` })) });
    left -= tasks.length;
  }
  for (let i = 0; i < UNROUTED; i += 1000) {
    await call('PUT', '/tasks', { events: Array.from({ length: Math.min(1000, UNROUTED - i) }, (_, j) => ({ publisher: 'lost', data: { nobody: 'wants', n: i + j } })) });
  }
  for (let w = 0; w < WORKERS; w++) await call('PUT', '/worker', { queues: [`queue-${w}`, `queue-${w + 1}`, 'doomed'], name: `worker-${w}` });

  const names = Array.from({ length: 50 }, (_, i) => `queue-${i}`).join(',');
  const calls = {
    'overview: GET /status': '/status',
    'overview: GET /status?queues (page of 50)': '/status?queues&limit=50',
    'overview: GET /throughput (50 queues)': `/throughput?queues=${names}&minutes=15`,
    'failed: GET /failed (page of 50)': '/failed?limit=50',
    'failed: GET /failed?queue= (page of 50)': '/failed?queue=doomed&limit=50',
    'failed: GET /failed?reason=': '/failed?reason=said%20no%20to%2099999&limit=50',
    'failed: GET /failed?field=user.id&value=': '/failed?field=user.id&value=4242&limit=50',
    'failed: GET /failed?search=': '/failed?search=row%2077777&limit=50',
    'workers: GET /status?workers': '/status?workers',
    'interests: GET /status?interests': '/status?interests',
    'queue: GET /queue/tasks (page of 50)': '/queue/tasks?queue=doomed&state=failed&limit=50',
    'unrouted: GET /unrouted (page of 50)': '/unrouted?limit=50',
    'unrouted: GET /unrouted?publisher=': '/unrouted?publisher=lost&limit=50',
  };
  const rows = [];
  for (const [what, p] of Object.entries(calls)) {
    const times = [];
    let bytes = 0;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      bytes = (await call('GET', p)).bytes;
      times.push(performance.now() - t0);
    }
    rows.push({ what, medianMs: Math.round(median(times) * 10) / 10, kB: Math.round(bytes / 102.4) / 10 });
  }
  console.table(rows);

  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
  if (!chromium) log('Chromium not found: view drawing times skipped');
  else {
    const { chromium: pw } = await import('playwright-core');
    const profile = mkdtempSync(path.join(os.tmpdir(), 'switchyard-page-chromium-'));
    const ctx = await pw.launchPersistentContext(profile, {
      executablePath: chromium, headless: true, viewport: { width: 1280, height: 800 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await ctx.newPage();
    const row = '.scroll tbody tr';
    const views = [['overview', '', row], ['failed', 'failed', row], ['workers', 'workers', row], ['interests', 'interests', row], ['queue', 'queue/doomed?state=failed', row], ['unrouted', 'unrouted', row]];
    const drawn = [];
    for (const [name, hash, sel] of views) {
      const times = [];
      for (let i = 0; i < 3; i++) {
        await page.goto('about:blank');
        const t0 = performance.now();
        await page.goto(`${base}/#/${hash}`);
        await page.locator(`main ${sel}`).first().waitFor({ timeout: 60_000 });
        times.push(performance.now() - t0);
      }
      drawn.push({ view: name, medianMs: Math.round(median(times)), rows: await page.locator(`main ${sel}`).count() });
    }
    console.table(drawn);
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  }
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(scratch, { recursive: true, force: true });
}
