#!/usr/bin/env node
// Where the broker's time goes in each workload of the performance table (issue 21: "the misses,
// each with the profile that explains them"). For each workload it starts the built broker (dist/)
// on a scratch SQLite file under `node --cpu-prof`, loads it for SECONDS the way the peer kit does
// (keep-alive HTTP clients, one request at a time each), and splits the broker's main thread over
// the measured window only (samples outside it, start-up and shutdown, are left out):
//   idle     the thread waited (for requests, for the clients)
//   commit   BEGIN/COMMIT, with the fsync of every durable commit: SQLite runs them on this thread
//   sql      the statements and the store's JavaScript around them (src/store/)
//   http     node's HTTP, sockets and streams (node:*, writev, read)
//   routes   request parsing, validation and answers (routes/, src/security/, ajv's compiled code)
//   broker   the broker's rules: routing, lifecycle, ids, waiters (src/ but not src/store/)
//   gc       V8's garbage collector
//   other    anything else (V8's own work, node_modules)
// It also prints how busy the machine's cores were (from /proc/stat) and the client's own CPU.
// Usage (after npm run build): node bench/profile.mjs [workload ...]; SECONDS (default 5), REPS
// (default 1: each rep runs every workload in turn); PROFILE_KEEP=dir keeps the .cpuprofile files
// there. Results: one JSON line per workload and rep on stdout, then the medians' table on stderr.
// `npm run bench` runs it too (PROFILE_REPS, default 1; SKIP_PROFILE leaves it out).
import { mkdtempSync, readFileSync, readdirSync, rmSync, cpSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startBuiltBroker } from './built-broker.mjs';

const SECONDS = Number(process.env.SECONDS ?? 5);
const REPS = Number(process.env.REPS ?? 1);
const log = (...a) => console.error('[profile]', ...a);
const nowUs = () => Number(process.hrtime.bigint() / 1000n); // the clock V8's profiles are stamped with

/** One broker under the profiler, and a keep-alive client for it. */
const startBroker = (scratch) => startBuiltBroker(scratch, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${path.join(scratch, 'prof')}`] });

const event = (n) => ({ publisher: 'profile', data: { to: 'jobs', n } });
const untilEnd = (end) => performance.now() < end;

/** C workers, each claiming and reporting one task at a time (the kit's single-task consumer). */
function singleWorkers(b, C, end, onDone) {
  return Array.from({ length: C }, async () => {
    const { workerId } = await b.call('PUT', '/worker', { queues: ['jobs'] });
    while (untilEnd(end)) {
      const { task } = await b.call('GET', `/task?workerId=${workerId}&wait=1`);
      if (!task) continue;
      await b.call('POST', '/task', { workerId, taskId: task.taskId, state: 'success' });
      onDone();
    }
  });
}

async function publishLoop(b, C, end, batch = 1) {
  let n = 0;
  await Promise.all(Array.from({ length: C }, async () => {
    while (untilEnd(end)) {
      if (batch > 1) { await b.call('PUT', '/tasks', { events: Array.from({ length: batch }, () => event(n++)) }); } else await b.call('PUT', '/task', event(n++));
    }
  }));
  return n;
}

async function seed(b, n) {
  for (let i = 0; i < n; i += 500) await b.call('PUT', '/tasks', { events: Array.from({ length: Math.min(500, n - i) }, (_, k) => event(i + k)) });
}

/** Each workload: what to prepare before the window and what to run in it; answers jobs done. */
const workloads = {
  'publish-c1': { run: (b, end) => publishLoop(b, 1, end) },
  'publish-c16': { run: (b, end) => publishLoop(b, 16, end) },
  'publish-batch100-c16': { run: (b, end) => publishLoop(b, 16, end, 100) },
  'drain-c16': {
    prepare: (b) => seed(b, 40_000),
    run: async (b, end) => { let done = 0; await Promise.all(singleWorkers(b, 16, end, () => done++)); return done; },
  },
  'drain-batch100-c16': {
    prepare: (b) => seed(b, 200_000),
    run: async (b, end) => {
      let done = 0;
      await Promise.all(Array.from({ length: 16 }, async () => {
        const { workerId } = await b.call('PUT', '/worker', { queues: ['jobs'] });
        while (untilEnd(end)) {
          const { tasks } = await b.call('GET', `/task?workerId=${workerId}&count=100`);
          if (!tasks.length) break;
          await b.call('POST', '/tasks', { workerId, reports: tasks.map((t) => ({ taskId: t.taskId, state: 'success' })) });
          done += tasks.length;
        }
      }));
      return done;
    },
  },
  'mixed-c1': { run: (b, end) => mixed(b, 1, end) },
  'mixed-c16': { run: (b, end) => mixed(b, 16, end) },
};

/** C publishers and C single-task workers at once, at most 8·C jobs published and not yet done. */
async function mixed(b, C, end) {
  let done = 0; let issued = 0;
  const wakeups = [];
  const workers = singleWorkers(b, C, end, () => { done++; wakeups.shift()?.(); });
  await Promise.all(Array.from({ length: C }, async () => {
    while (untilEnd(end)) {
      while (issued - done >= 8 * C && untilEnd(end)) await new Promise((r) => { wakeups.push(r); setTimeout(r, 50); });
      issued++;
      await b.call('PUT', '/task', event(issued));
    }
  }));
  await Promise.all(workers);
  return done;
}

/** The machine's busy and idle jiffies so far, over all cores. */
function cpuTimes() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + f[4];
  return { idle, total: f.reduce((a, b) => a + b, 0) };
}

/** The buckets above, in ms of the window [fromUs, toUs]. */
function split(profile, fromUs, toUs) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const out = { idle: 0, commit: 0, sql: 0, http: 0, routes: 0, broker: 0, gc: 0, other: 0 };
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    if (t < fromUs || t > toUs) continue;
    const { functionName: fn, url } = byId.get(profile.samples[i]);
    const bucket = fn === '(idle)' ? 'idle'
      : fn === '(garbage collector)' ? 'gc'
        : url.includes('better-sqlite3/lib/methods/transaction') ? 'commit'
          : /\/src\/store\//.test(url) ? 'sql'
            : url.startsWith('node:') || (url === '' && /^(writev|writeUtf8String|writeBuffer|read|close|shutdown)$/.test(fn)) ? 'http'
              : /\/(routes|src\/security)\//.test(url) || url.includes('node_modules/ajv') || (url === '' && /^(validate\d*|anonymous)$/.test(fn)) ? 'routes'
                : /\/src\//.test(url) ? 'broker'
                  : 'other';
    out[bucket] += dt / 1000;
  }
  return out;
}

/** The lines of several reps as one table: medians by workload. */
export function profileTable(lines) {
  const median = (v) => { const a = [...v].sort((x, y) => x - y); return a[a.length >> 1]; };
  const pct = (x) => `${Math.round(x * 100)}%`;
  const out = ['| workload | jobs/s | thread busy | commit | SQL | HTTP | broker rules | GC, other | busy ms a job | cores idle | client\'s cores |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|'];
  const byWorkload = new Map();
  for (const l of lines) byWorkload.set(l.workload, [...(byWorkload.get(l.workload) ?? []), l]);
  for (const [workload, ls] of byWorkload) {
    const share = (k) => median(ls.map((l) => l.broker_main_thread[k]));
    const of = (k) => median(ls.map((l) => l[k]));
    out.push(`| ${workload} | ${of('jobs_per_s')} | ${pct(1 - share('idle'))} | ${pct(share('commit'))} | ${pct(share('sql'))} | ${pct(share('http') + share('routes'))} | ` +
      `${pct(share('broker'))} | ${pct(share('gc') + share('other'))} | ${of('busy_ms_per_job')} | ${of('machine_idle_cores')} | ${of('client_cores')} |`);
  }
  return out.join('\n');
}

async function main() {
  const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(workloads);
  const all = [];
  for (let rep = 1; rep <= REPS; rep++) for (const name of names) {
    const w = workloads[name];
    if (!w) { log(`unknown workload ${name}; known: ${Object.keys(workloads).join(', ')}`); process.exit(2); }
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'switchyard-profile-'));
    try {
      const b = await startBroker(scratch);
      await b.call('PUT', '/interest', { queue: 'jobs', interests: { to: '^jobs$' } });
      await w.prepare?.(b);
      if (!w.prepare) await w.run(b, performance.now() + 1000); // warm up (a drain would spend its backlog)
      const cpu0 = cpuTimes(); const client0 = process.cpuUsage(); const from = nowUs();
      const jobs = await w.run(b, performance.now() + SECONDS * 1000);
      const to = nowUs(); const cpu1 = cpuTimes(); const client = process.cpuUsage(client0);
      await b.stop();
      const dir = path.join(scratch, 'prof');
      const file = path.join(dir, readdirSync(dir).find((f) => f.endsWith('.cpuprofile')));
      if (process.env.PROFILE_KEEP) cpSync(file, path.join(process.env.PROFILE_KEEP, `${name}-${rep}.cpuprofile`));
      const ms = split(JSON.parse(readFileSync(file, 'utf8')), from, to);
      const windowMs = (to - from) / 1000;
      const share = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, Number((v / windowMs).toFixed(3))]));
      const cores = os.cpus().length;
      const line = {
        workload: name, rep, jobs_per_s: Math.round(jobs / (windowMs / 1000)),
        broker_main_thread: share, // shares of the window
        busy_ms_per_job: Number(((windowMs - ms.idle) / jobs).toFixed(3)),
        machine_idle_cores: Number((((cpu1.idle - cpu0.idle) / (cpu1.total - cpu0.total)) * cores).toFixed(2)),
        client_cores: Number(((client.user + client.system) / 1000 / windowMs).toFixed(2)),
      };
      console.log(JSON.stringify(line));
      all.push(line);
      log(`${name} (rep ${rep}): ${line.jobs_per_s} jobs/s; main thread ${Object.entries(share).map(([k, v]) => `${k} ${(v * 100).toFixed(0)}%`).join(', ')}; ` +
        `${line.busy_ms_per_job} ms busy a job; ${line.machine_idle_cores} of ${cores} cores idle, the client used ${line.client_cores}`);
    } finally { rmSync(scratch, { recursive: true, force: true }); }
  }
  console.error(`\nmedians of ${REPS} rep(s), the broker's thread over the measured seconds:\n${profileTable(all)}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
