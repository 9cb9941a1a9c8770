#!/usr/bin/env node
// What one client waits for on the cluster store, one request at a time: a broker node over Couchbase
// reached through the latency proxy (DELAY_MS, 1, each way: a network), p50 and p99 of an HTTP
// publish, a claim and a success report, and, with the peer kit's jackd client, the beanstalkd
// protocol's put, reserve and delete. bench/cluster.mjs measures what many clients get through;
// this measures how long each of them waits. N (200) of each, REPS (3) fresh nodes.
// Needs COUCHBASE_CONNSTR (and credentials) of a local mock and its pid in COUCHBASE_PAUSE_PID.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrokerProcess, freePort } from '../test/soak/brokers.mjs';
import { LatencyProxy } from './latency-proxy.mjs';
import { mockPidOrSkip, nodeEnv } from './mock-cluster.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const e = process.env;
const N = Number(e.N ?? 200);
const REPS = Number(e.REPS ?? 3);
const DELAY_MS = Number(e.DELAY_MS ?? 1);
const log = (...a) => console.error('[cluster-latency]', ...a);
const mockPid = mockPidOrSkip(root, log);
const kit = e.PEER_KIT ?? path.resolve(root, '..', 'shared', 'bench', 'peers');
const Jackd = existsSync(path.join(kit, 'node_modules', 'jackd')) ? createRequire(path.join(kit, 'package.json'))('jackd') : null;
if (!Jackd) log(`no jackd in the peer kit at ${kit} (PEER_KIT): the protocol rows are left out`);

const percentile = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return Math.round(s[Math.min(s.length - 1, Math.floor(s.length * p))] * 10) / 10; };
const timed = async (into, fn) => { const t = performance.now(); const v = await fn(); into.push(performance.now() - t); return v; };

async function measure(url, beanstalkPort) {
  const call = async (method, p, body) => {
    const r = await fetch(url + p, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${method} ${p} ${r.status} ${text.slice(0, 200)}`);
    return text ? JSON.parse(text) : null;
  };
  await call('PUT', '/interest', { queue: 'lat', interests: { to: '^lat$' } });
  const { workerId } = await call('PUT', '/worker', { queues: ['lat'], name: 'latency' });
  const ms = { publish: [], claim: [], report: [] };
  for (let i = 0; i < 20; i++) await call('PUT', '/task', { publisher: 'latency', data: { to: 'lat' } }); // warm
  for (let i = 0; i < N; i++) await timed(ms.publish, () => call('PUT', '/task', { publisher: 'latency', data: { to: 'lat' } }));
  for (let i = 0; i < N; i++) {
    const { task } = await timed(ms.claim, () => call('GET', `/task?workerId=${workerId}`));
    await timed(ms.report, () => call('POST', '/task', { workerId, taskId: task.taskId, state: 'success' }));
  }
  if (Jackd) {
    Object.assign(ms, { put: [], reserve: [], delete: [] });
    const c = new Jackd();
    await c.connect({ host: '127.0.0.1', port: beanstalkPort });
    await c.use('tube'); await c.watch('tube');
    const body = JSON.stringify({ pad: 'x'.repeat(100) });
    for (let i = 0; i < N; i++) await timed(ms.put, () => c.put(body));
    for (let i = 0; i < N; i++) {
      const { id } = await timed(ms.reserve, () => c.reserveWithTimeout(1));
      await timed(ms.delete, () => c.delete(id));
    }
    await c.quit();
  }
  return Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, { p50: percentile(v, 0.5), p99: percentile(v, 0.99) }]));
}

const proxy = new LatencyProxy(mockPid, DELAY_MS);
await proxy.start();
const scratch = mkdtempSync(path.join(os.tmpdir(), 'switchyard-cluster-latency-'));
log(`${N} of each, one at a time, ${REPS} reps, ${DELAY_MS} ms each way through the proxy`);
try {
  for (let rep = 1; rep <= REPS; rep++) {
    const beanstalkPort = await freePort();
    const node = new BrokerProcess(root, 'n0', await freePort(), nodeEnv(proxy.connstr(e.COUCHBASE_CONNSTR), scratch, { SWITCHYARD_BEANSTALK_PORT: String(beanstalkPort) }), scratch);
    await node.start();
    try {
      const m = await measure(node.url, beanstalkPort);
      log(`rep ${rep}: ${Object.entries(m).map(([k, v]) => `${k} ${v.p50} ms (p99 ${v.p99})`).join(', ')}`);
      console.log(JSON.stringify({ run_id: e.BENCH_RUN_ID ?? 'cluster-latency', rep, ts: new Date().toISOString(), peer: 'switchyard-cluster', variant: `1-node-${DELAY_MS}ms-one-client`, metrics: m }));
    } finally {
      await node.stop();
    }
  }
} finally {
  await proxy.close();
  rmSync(scratch, { recursive: true, force: true });
}
