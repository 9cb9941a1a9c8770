#!/usr/bin/env node
// Idle long polls (issue 17's review: 3,000 of them cost a fifth of a core): on the built broker
// (dist/) over a scratch SQLite file, POLLS workers each hold a long poll (wait=30) on queues with
// nothing in them, and we read the broker's CPU time (from /proc) over WINDOW_MS: CPU % of one core,
// per rep, then the median and the worst. POLLS=3000 WINDOW_MS=5000 REPS=3 by default. Each rep also
// times PUBLISHES (5000) events from 16 clients, one a request, into a queue nobody polls, before the
// long polls start and while they wait: a publish should not pay for waiters of other queues.
// Compare two builds by running it in each (e.g. a worktree of the commit before).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const POLLS = Number(process.env.POLLS ?? 3000);
const WINDOW_MS = Number(process.env.WINDOW_MS ?? 5000);
const REPS = Number(process.env.REPS ?? 3);
const PUBLISHES = Number(process.env.PUBLISHES ?? 5000);
const TICKS = 100; // USER_HZ on Linux

const cpuMs = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) / TICKS) * 1000; // utime + stime
};

async function rep() {
  const port = await new Promise((res) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'switchyard-idle-'));
  const child = spawn(process.execPath, [path.join(root, 'dist', 'src', 'main.js')], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', SWITCHYARD_DB: path.join(scratch, 'sy.db'), LOG_LEVEL: 'warn', SWITCHYARD_RATE_LIMIT: '0' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: POLLS + 10 });
  const call = (method, p, body) => new Promise((resolve, reject) => {
    const req = http.request(base + p, { method, agent, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = ''; res.on('data', (c) => { text += c; }); res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
  try {
    for (let i = 0; i < 100; i++) { try { if ((await call('GET', '/healthz')).status === 200) break; } catch { /* starting */ } await new Promise((r) => setTimeout(r, 100)); }
    for (let q = 0; q < 10; q++) await call('PUT', '/interest', { queue: `q${q}`, interests: { never: '^x$' } });
    await call('PUT', '/interest', { queue: 'published', interests: { to: '^published$' } });
    /** Events a second from 16 clients, one event a request. */
    const publishRate = async (n = PUBLISHES) => {
      let sent = 0;
      const t = performance.now();
      await Promise.all(Array.from({ length: 16 }, async () => {
        while (sent < n) { sent++; const r = await call('PUT', '/task', { publisher: 'idle-bench', data: { to: 'published' } }); if (r.status !== 201) throw new Error(`PUT /task ${r.status} ${r.text}`); }
      }));
      return n / ((performance.now() - t) / 1000);
    };
    await publishRate(1000); // warm
    const alone = await publishRate();
    const workers = [];
    for (let i = 0; i < POLLS; i++) workers.push(JSON.parse((await call('PUT', '/worker', { queues: [`q${i % 10}`] })).text).workerId);
    let stop = false;
    const loops = workers.map(async (w) => { while (!stop) await call('GET', `/task?workerId=${w}&wait=30`).catch(() => undefined); });
    const waiting = async () => Number(/^switchyard_long_polls_waiting (\d+)$/m.exec((await call('GET', '/metrics')).text)?.[1] ?? 0);
    while ((await waiting()) < POLLS) await new Promise((r) => setTimeout(r, 100));
    const c0 = cpuMs(child.pid);
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const cpu = ((cpuMs(child.pid) - c0) / (Date.now() - t0)) * 100;
    const beside = await publishRate();
    stop = true;
    child.kill('SIGKILL');
    await Promise.allSettled(loops);
    return { cpu, alone, beside };
  } finally {
    child.kill('SIGKILL');
    agent.destroy();
    rmSync(scratch, { recursive: true, force: true });
  }
}

const reps = [];
for (let i = 0; i < REPS; i++) {
  const r = await rep();
  reps.push(r);
  console.error(`rep ${i + 1}: ${r.cpu.toFixed(1)}% of a core with ${POLLS} idle long polls; publishing ${Math.round(r.alone)}/s alone, ${Math.round(r.beside)}/s beside them (${(r.beside / r.alone).toFixed(2)})`);
}
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const cpus = sorted(reps.map((r) => r.cpu));
const ratios = sorted(reps.map((r) => r.beside / r.alone));
console.log(JSON.stringify({ polls: POLLS, windowMs: WINDOW_MS, cpuPercentMedian: cpus[cpus.length >> 1], cpuPercentWorst: cpus.at(-1),
  publishBesideRatioMedian: ratios[ratios.length >> 1], publishBesideRatioWorst: ratios[0], reps }));
