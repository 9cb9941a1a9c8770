#!/usr/bin/env node
// How a cluster of broker nodes scales (issue 21): 1, 2 and 4 nodes over one Couchbase cluster,
// reached through a proxy that adds DELAY_MS (1) each way to every byte (latency-proxy.mjs), as a
// network would; on one hot queue and on 100 queues. Each node gets 8 publishers (one event a
// request) and 16 single-task workers (each report takes the next task: next: true), or with
// LOAD=fixed that many in all, spread over the nodes (LOAD=split: as per-node, but every publisher on
// the first node and every worker on the others, so tasks reach workers only by take-overs); prints tasks completed a second per node count, rep by rep (REPS=3, SECONDS=10 each), their
// medians and each count's worst rep against one node's. Want: 4 nodes on the hot queue >= 2.5x one.
// Needs COUCHBASE_CONNSTR (and credentials) of a local mock and its pid in COUCHBASE_PAUSE_PID
// (the proxy reads the mock's ports from /proc). One JSON line per measurement on stdout.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrokerProcess, freePort } from '../test/soak/brokers.mjs';
import { LatencyProxy } from './latency-proxy.mjs';
import { mockPidOrSkip, nodeEnv } from './mock-cluster.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const e = process.env;
const SECONDS = Number(e.SECONDS ?? 10);
const REPS = Number(e.REPS ?? 3);
const DELAY_MS = Number(e.DELAY_MS ?? 1);
const NODE_COUNTS = (e.NODES ?? '1,2,4').split(',').map(Number);
// Clients per node (LOAD=per-node, the default) or in all (LOAD=fixed). A node's transaction carries
// every request that arrived meanwhile and takes about as long with few as with many, so a fixed set
// of clients spread over more nodes only makes each node's batches smaller: that measures latency,
// not whether more nodes carry more work. Per node, each node count is loaded as one node is.
const LOAD = e.LOAD ?? 'per-node';
// Node's own flags for every broker node, e.g. BROKER_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
const NODE_FLAGS = (e.BROKER_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const PUBLISHERS = 8;
const WORKERS = 16;
// WORKLOAD=hot or WORKLOAD=100 measures that one alone.
const WORKLOADS = Object.fromEntries(Object.entries({ 'hot queue': 1, '100 queues': 100 }).filter(([name]) => !e.WORKLOAD || name.startsWith(e.WORKLOAD)));
const log = (...a) => console.error('[cluster]', ...a);

const mockPid = mockPidOrSkip(root, log);

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const call = (base, method, p, body) => new Promise((resolve, reject) => {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const req = http.request(base + p, { method, agent, headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {} }, (res) => {
    let text = ''; res.on('data', (c) => { text += c; }); res.on('end', () => (res.statusCode < 300 ? resolve(text ? JSON.parse(text) : null) : reject(new Error(`${method} ${p} ${res.statusCode} ${text.slice(0, 200)}`))));
  });
  req.on('error', reject);
  req.end(payload);
});

// Where the machine's two cores went during a measurement, from /proc: the mock, the broker nodes,
// this process (clients and proxy), and idle. A run whose idle is near zero measured the machine,
// not the cluster: adding nodes can then only share the same cores.
const TICKS = 100; // USER_HZ on Linux
const cpuOf = (pid) => { try { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) / TICKS; } catch { return NaN; } };
/** Seconds every core together spent idle (idle + iowait) since boot. */
const idleCpu = () => { const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number); return (f[3] + f[4]) / TICKS; };
function cpuSnapshot(brokerPids) {
  const self = process.cpuUsage();
  return { at: performance.now(), mock: cpuOf(mockPid), brokers: brokerPids.reduce((a, pid) => a + cpuOf(pid), 0), bench: (self.user + self.system) / 1e6, idle: idleCpu() };
}
/** Cores used over the window between two snapshots. */
function coresUsed(a, b) {
  const s = (b.at - a.at) / 1000;
  const r = (x) => Math.round((x / s) * 100) / 100;
  return { mock: r(b.mock - a.mock), brokers: r(b.brokers - a.brokers), bench: r(b.bench - a.bench), idle: r(b.idle - a.idle), cores: os.cpus().length };
}

/** Tasks completed a second by the clients spread over `urls`, across `queues` queues, and the cores
 *  each part used meanwhile. */
/** Memcached opcodes a broker node sends, by name (the rest print in hex). */
const OPCODES = { 0x00: 'get', 0x01: 'set', 0x02: 'add', 0x03: 'replace', 0x04: 'delete', 0x05: 'increment', 0x06: 'decrement',
  0x1d: 'touch', 0x1f: 'hello', 0x20: 'sasl', 0x89: 'select_bucket', 0xb5: 'get_cluster_config', 0xbb: 'get_collection_id',
  0xd0: 'subdoc_multi_lookup', 0xd1: 'subdoc_multi_mutation', 0xfe: 'get_error_map' };

async function measure(urls, queues, brokerPids) {
  const names = Array.from({ length: queues }, (_, i) => `q${i}`);
  for (const q of names) await call(urls[0], 'PUT', '/interest', { queue: q, interests: { to: `^${q}$` } });
  let stop = false;
  let counting = false;
  let done = 0;
  let published = 0;
  let registered = 0;
  const scale = LOAD === 'fixed' ? 1 : urls.length;
  // LOAD=split: every publisher on the first node, every worker on the others (with one node, both on it).
  const split = LOAD === 'split' && urls.length > 1;
  const pubs = Array.from({ length: PUBLISHERS * scale }, async (_, i) => {
    const base = split ? urls[0] : urls[i % urls.length];
    for (let n = i; !stop; n += PUBLISHERS * scale) { await call(base, 'PUT', '/task', { publisher: 'cluster', data: { to: names[n % queues] } }); if (counting) published++; }
  });
  const workers = Array.from({ length: WORKERS * scale }, async (_, i) => {
    const base = split ? urls[1 + (i % (urls.length - 1))] : urls[i % urls.length];
    const mine = queues === 1 ? names : Array.from({ length: 10 }, (_, k) => names[(i * 10 + k) % queues]);
    const { workerId } = await call(base, 'PUT', '/worker', { queues: mine });
    registered++;
    let task = null;
    while (!stop) {
      task ??= (await call(base, 'GET', `/task?workerId=${workerId}&wait=1`)).task;
      if (!task) continue;
      task = (await call(base, 'POST', '/task', { workerId, taskId: task.taskId, state: 'success', next: true })).task;
      if (counting) done++;
    }
  });
  // Counted once every worker is registered: 64 workers of 10 queues each registering on 4 nodes at
  // once took 15 s, which a 2 s warm-up left inside the measurement (its "0 tasks/s").
  const startedAt = performance.now();
  while (registered < workers.length) await new Promise((r) => setTimeout(r, 50));
  const registerSeconds = Math.round((performance.now() - startedAt) / 100) / 10;
  await new Promise((r) => setTimeout(r, 2000)); // warm: connections, first documents
  counting = true;
  proxy.ops.clear();
  proxy.counting = true;
  const before = cpuSnapshot(brokerPids);
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const cpu = coresUsed(before, cpuSnapshot(brokerPids));
  counting = false;
  proxy.counting = false;
  stop = true;
  await Promise.all([...pubs, ...workers]);
  // What a task cost the cluster: key-value requests per completed task, by kind.
  const kvOps = Object.fromEntries([...proxy.ops].sort((a, b) => b[1] - a[1]).map(([op, n]) => [OPCODES[op] ?? `0x${op.toString(16)}`, Math.round((n / Math.max(1, done)) * 10) / 10]));
  return { tasks_per_s: done / SECONDS, published_per_s: published / SECONDS, register_s: registerSeconds, cpu, kv_ops_per_task: kvOps };
}

const proxy = new LatencyProxy(mockPid, DELAY_MS);
await proxy.start();
const connstr = proxy.connstr(e.COUCHBASE_CONNSTR);
log(`${SECONDS} s per measurement, ${REPS} reps, nodes ${NODE_COUNTS.join(', ')}, ${DELAY_MS} ms each way through the proxy (${connstr}); `
  + `${PUBLISHERS} publishers and ${WORKERS} workers ${LOAD === 'fixed' ? 'in all' : 'per node'} (LOAD=${LOAD}); COUCHBASE_QUEUE_SHARDS=${e.COUCHBASE_QUEUE_SHARDS ?? 1}`);
const scratch = mkdtempSync(path.join(os.tmpdir(), 'switchyard-cluster-'));
const results = []; // {workload, nodes, rep, tasks_per_s}
try {
  for (let rep = 1; rep <= REPS; rep++) {
    // Turn the order each rep, so no node count always meets a warmer (or fuller) mock.
    const order = [...NODE_COUNTS.slice(rep % NODE_COUNTS.length), ...NODE_COUNTS.slice(0, rep % NODE_COUNTS.length)];
    for (const nodes of order) {
      for (const [workload, queues] of Object.entries(WORKLOADS)) {
        const env = nodeEnv(connstr, scratch);
        const brokers = await Promise.all(Array.from({ length: nodes }, async (_, i) => new BrokerProcess(root, `n${i}`, await freePort(), env, scratch, NODE_FLAGS)));
        try {
          await Promise.all(brokers.map((b) => b.start()));
          const m = await measure(brokers.map((b) => b.url), queues, brokers.map((b) => b.child.pid));
          results.push({ workload, nodes, rep, ...m });
          const c = m.cpu;
          log(`rep ${rep}, ${workload}, ${nodes} node(s): ${Math.round(m.tasks_per_s)} tasks/s (published ${Math.round(m.published_per_s)}/s; workers registered in ${m.register_s} s); `
            + `cores busy: mock ${c.mock}, brokers ${c.brokers}, clients+proxy ${c.bench}, idle ${c.idle} of ${c.cores}; `
            + `key-value requests per task: ${Object.entries(m.kv_ops_per_task).map(([k, v]) => `${k} ${v}`).join(', ')}`);
          console.log(JSON.stringify({ run_id: e.BENCH_RUN_ID ?? 'cluster', rep, ts: new Date().toISOString(), peer: 'switchyard-cluster', variant: `${nodes}-nodes-${workload.replace(/ /g, '-')}-${DELAY_MS}ms-${LOAD}`, metrics: m }));
        } finally {
          await Promise.all(brokers.map((b) => b.stop()));
        }
      }
    }
    if (rep === 1 && !proxy.connections.size) throw new Error('no connection went through the proxy: the SDK bypassed it');
  }
} finally {
  await proxy.close();
  rmSync(scratch, { recursive: true, force: true });
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
log(`connections through the proxy, by the mock's port: ${JSON.stringify(Object.fromEntries(proxy.connections))}`);
for (const workload of Object.keys(WORKLOADS)) {
  const one = results.filter((r) => r.workload === workload && r.nodes === 1);
  for (const nodes of NODE_COUNTS) {
    const mine = results.filter((r) => r.workload === workload && r.nodes === nodes);
    // A rep's ratio: its n-node rate over the same rep's one-node rate.
    const ratios = mine.map((r) => r.tasks_per_s / (one.find((o) => o.rep === r.rep)?.tasks_per_s ?? NaN));
    log(`${workload}, ${nodes} node(s): median ${Math.round(median(mine.map((r) => r.tasks_per_s)))} tasks/s; ÷ 1 node median ${median(ratios).toFixed(2)}, worst rep ${Math.min(...ratios).toFixed(2)}`
      + (workload === 'hot queue' && nodes === 4 ? ` (want >= 2.5: ${Math.min(...ratios) >= 2.5 ? 'met' : 'missed'})` : '')
      + `; median cores busy: mock ${median(mine.map((r) => r.cpu.mock)).toFixed(2)}, brokers ${median(mine.map((r) => r.cpu.brokers)).toFixed(2)}, idle ${median(mine.map((r) => r.cpu.idle)).toFixed(2)}`);
  }
}
