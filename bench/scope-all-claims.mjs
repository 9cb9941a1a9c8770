#!/usr/bin/env node
// Scope-all copies and the workers that never ask for theirs (issue 15): on the built broker (dist/)
// over a scratch SQLite file, 8 registered workers never claim while one live worker drains its own
// copies of N scope-all events. Prints, per rep, the live worker's time per claim+report over the
// first and the last fifth of its copies (a claim that scans past other workers' copies grows with
// the queue), and how many publishes/s 8 publishers get while it drains vs while nobody drains.
// N=5000 REPS=3 by default; the ratios are what to read.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.env.N ?? 5000);
const REPS = Number(process.env.REPS ?? 3);
const PUBLISH_MS = 3000;

async function startBroker() {
  const port = await new Promise((res) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'switchyard-scope-all-'));
  const child = spawn(process.execPath, [path.join(root, 'dist', 'src', 'main.js')], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', SWITCHYARD_DB: path.join(scratch, 'sy.db'), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { base, stop: () => { child.kill('SIGKILL'); rmSync(scratch, { recursive: true, force: true }); } };
}

async function rep() {
  const b = await startBroker();
  const call = async (method, p, body) => {
    const r = await fetch(b.base + p, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${method} ${p} ${r.status} ${text.slice(0, 200)}`);
    return JSON.parse(text);
  };
  try {
    await call('PUT', '/interest', { queue: 'q', interests: '*' });
    await call('PUT', '/interest', { queue: 'other', interests: { kind: '^other$' } });
    for (let i = 0; i < 8; i++) await call('PUT', '/worker', { queues: ['q'], name: `idle${i}` });
    const { workerId } = await call('PUT', '/worker', { queues: ['q'], name: 'live' });
    for (let i = 0; i < N; i += 100) {
      await call('PUT', '/tasks', { events: Array.from({ length: Math.min(100, N - i) }, (_, k) => ({ publisher: 'bench', data: { n: i + k }, scope: 'all' })) });
    }
    /** 8 publishers, one request at a time each, into a queue nobody works, for PUBLISH_MS. */
    const publishRate = async () => {
      let n = 0; const end = performance.now() + PUBLISH_MS;
      await Promise.all(Array.from({ length: 8 }, async () => {
        while (performance.now() < end) { await call('PUT', '/task', { publisher: 'bench', data: { kind: 'other' } }); n++; }
      }));
      return n / (PUBLISH_MS / 1000);
    };
    const alone = await publishRate();
    const fifth = Math.floor(N / 5);
    const perTask = [];
    let drained = 0;
    let draining = true;
    const drain = (async () => {
      for (let part = 0; part < 5; part++) {
        const t0 = performance.now();
        for (let k = 0; k < fifth; k++) {
          const { task } = await call('GET', `/task?workerId=${workerId}`);
          await call('POST', '/task', { workerId, taskId: task.taskId, state: 'success' });
          drained++;
        }
        perTask.push((performance.now() - t0) / fifth);
      }
      draining = false;
    })();
    // Publish while the live worker is in its last fifths, where a scanning claim costs the most.
    while (draining && drained < fifth * 3) await new Promise((r) => setTimeout(r, 50));
    const whileDraining = await publishRate();
    await drain;
    return { firstFifthMs: perTask[0], lastFifthMs: perTask[4], lastOverFirst: perTask[4] / perTask[0], publishesAlone: alone, publishesWhileDraining: whileDraining, whileDrainingOverAlone: whileDraining / alone };
  } finally {
    b.stop();
  }
}

const rows = [];
for (let i = 0; i < REPS; i++) {
  const r = await rep();
  rows.push(r);
  console.log(JSON.stringify({ rep: i + 1, N, ...Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Math.round(v * 100) / 100])) }));
}
const median = (k) => { const s = rows.map((r) => r[k]).sort((a, b) => a - b); return Math.round(s[s.length >> 1] * 100) / 100; };
const worst = (k, higherIsWorse) => Math.round((higherIsWorse ? Math.max : Math.min)(...rows.map((r) => r[k])) * 100) / 100;
console.log(JSON.stringify({ summary: true, N, reps: REPS,
  lastOverFirst: { median: median('lastOverFirst'), worst: worst('lastOverFirst', true) },
  whileDrainingOverAlone: { median: median('whileDrainingOverAlone'), worst: worst('whileDrainingOverAlone', false) } }));
