#!/usr/bin/env node
// `npm run bench`: Switchyard and its peers (BullMQ, pg-boss, beanstalkd with fsync on every write,
// bare HTTP servers) in one run on this machine, through the shared peer kit (../shared/bench/peers,
// after its `bash setup.sh`), then the scale checks (bench/scale.mjs), the SDK's drain
// (bench/sdk-drain.mjs), publishers beside busy workers (bench/publish-beside-workers.mjs), the
// beanstalkd protocol beside beanstalkd (bench/beanstalk.mjs), and one table of the issues' targets
// as ratios taken in that run, then where the broker's thread went in each workload (bench/profile.mjs,
// which explains the misses). SKIP_SCALE, SKIP_SDK, SKIP_BESIDE, SKIP_BEANSTALK, SKIP_PROFILE leave a step out.
//   REPS=3 PEERS="switchyard bullmq-aof pgboss-on beanstalkd-binlog0 http" BENCH_N=20000 npm run bench
//   npm run bench -- --from=bench/results/<run>.jsonl     (the table of a finished run, again)
// Writes bench/results/<run>.jsonl (raw lines), <run>-profile.jsonl and <run>.json (medians and ratios).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { profileTable } from './profile.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'bench', 'results');
const from = process.argv.find((a) => a.startsWith('--from='))?.slice('--from='.length);
const run = from ? path.basename(from, '.jsonl') : new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
const raw = from ? path.resolve(from) : path.join(outDir, `${run}.jsonl`);
const profileRaw = raw.replace(/\.jsonl$/, '-profile.jsonl');
// The broker under test is the embedded default: never a Couchbase the shell happens to point at.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('COUCHBASE_')));
if (!from) measure();

function measure() {
const kit = process.env.PEER_KIT ?? path.resolve(root, '..', 'shared', 'bench', 'peers');
if (!existsSync(path.join(kit, 'run-all.sh'))) fail(`no peer kit at ${kit} (set PEER_KIT)`);
if (!existsSync(path.join(kit, 'node_modules'))) fail(`the peer kit is not set up: run  bash ${path.join(kit, 'setup.sh')}`);
mkdirSync(outDir, { recursive: true });

const peers = env.PEERS ?? 'switchyard bullmq-aof pgboss-on beanstalkd-binlog0 http';
console.error(`bench ${run}: peers ${peers}, REPS=${env.REPS ?? 3}, results in ${path.relative(root, raw)}`);
const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit', env });
if (build.status !== 0) fail('npm run build failed');
const r = spawnSync('bash', [path.join(kit, 'run-all.sh')], {
  cwd: kit, stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...env, PEERS: peers, REPS: env.REPS ?? '3', SWITCHYARD_DIR: root, BENCH_OUT: raw },
});
if (r.status !== 0) fail(`the peer kit exited ${r.status}`);
if (!env.SKIP_SCALE) {
  const s = spawnSync(process.execPath, [path.join(root, 'bench', 'scale.mjs')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...env, BENCH_RUN_ID: run }, encoding: 'utf8' });
  if (s.status !== 0) fail('bench/scale.mjs failed');
  writeFileSync(raw, readFileSync(raw, 'utf8') + s.stdout.trim() + '\n');
}
if (!env.SKIP_SDK) {
  const s = spawnSync(process.execPath, [path.join(root, 'bench', 'sdk-drain.mjs')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...env, BENCH_RUN_ID: run }, encoding: 'utf8' });
  if (s.status !== 0) fail('bench/sdk-drain.mjs failed');
  // One line per rep, so the table's worst rep compares the SDK with the raw drain beside it.
  const { reps: sdkReps } = JSON.parse(s.stdout.trim().split('\n').pop());
  writeFileSync(raw, readFileSync(raw, 'utf8') + sdkReps.map((r) => JSON.stringify({ peer: 'switchyard-sdk', rep: r.rep, metrics: { drain_raw_b100_c16: r.raw, drain_sdk_c16: r.sdk, cli_publish_file: r.cliPublish } })).join('\n') + '\n');
}
if (!env.SKIP_BESIDE) {
  const s = spawnSync(process.execPath, [path.join(root, 'bench', 'publish-beside-workers.mjs')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...env, BENCH_RUN_ID: run }, encoding: 'utf8' });
  if (s.status !== 0) fail('bench/publish-beside-workers.mjs failed');
  writeFileSync(raw, readFileSync(raw, 'utf8') + s.stdout.trim() + '\n');
}
if (!env.SKIP_BEANSTALK) {
  const s = spawnSync(process.execPath, [path.join(root, 'bench', 'beanstalk.mjs')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...env, PEER_KIT: kit, BENCH_RUN_ID: run, BENCH_N: env.BEANSTALK_N ?? '5000' }, encoding: 'utf8' });
  if (s.status !== 0) fail('bench/beanstalk.mjs failed');
  writeFileSync(raw, readFileSync(raw, 'utf8') + s.stdout.trim() + '\n');
}
if (!env.SKIP_PROFILE) {
  const s = spawnSync(process.execPath, [path.join(root, 'bench', 'profile.mjs')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...env, REPS: env.PROFILE_REPS ?? '1' }, encoding: 'utf8' });
  if (s.status !== 0) fail('bench/profile.mjs failed');
  writeFileSync(profileRaw, s.stdout);
}
}

// Medians per peer/variant, every metric.
const rows = readFileSync(raw, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((x) => !x.error);
const median = (v) => { const s = [...v].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const groups = {};
const reps = {};
for (const row of rows) {
  reps[row.peer] = (reps[row.peer] ?? 0) + 1;
  const g = (groups[row.peer] ??= {});
  for (const [k, v] of Object.entries(row.metrics ?? {})) if (typeof v === 'number') (g[k] ??= []).push(v);
}
const med = Object.fromEntries(Object.entries(groups).map(([p, g]) => [p, Object.fromEntries(Object.entries(g).map(([k, v]) => [k, median(v)]))]));
// Each rep's figures too: a target is met only when its worst rep meets it (rep i of Switchyard
// against rep i of its reference, which ran beside it).
const byRep = {};
for (const row of rows) for (const [k, v] of Object.entries(row.metrics ?? {})) if (typeof v === 'number') ((byRep[row.peer] ??= {})[row.rep ?? 1] ??= {})[k] = v;
// A figure: what the table shows (the median) and how to read it in one rep.
const fig = (peer, metric) => ({ median: med[peer]?.[metric], inRep: (rep) => byRep[peer]?.[rep]?.[metric] ?? med[peer]?.[metric], reps: Object.keys(byRep[peer] ?? {}) });
const fixed = (x) => ({ median: x, inRep: () => x, reps: [] });
const m = fig;
const sy = (metric) => fig('switchyard', metric);

// The issue's targets: [what, switchyard figure, reference figure, want ratio, higher is better?]
const targets = [
  ['publish 1/request, 16 clients, durable vs express-lean echo', sy('enq_c16'), m('http-ceiling', 'express-lean_w1_c16_autocannon_rps'), 0.7, true],
  ['publish 1/request, 16 clients vs pg-boss sync_commit=on', sy('enq_c16'), m('pg-boss', 'enq_c16'), 3, true],
  ['publish 100/request vs BullMQ addBulk (AOF)', sy('enq_b100_c16'), m('bullmq', 'enq_b100_c16'), 2, true],
  ['publish 100/request vs pg-boss insert([...])', sy('enq_b100_c16'), m('pg-boss', 'enq_b100_c16'), 1, true],
  ['drain 100/claim + batch report vs BullMQ worker drain', sy('drain_b100_c16'), m('bullmq', 'drain_c16'), 4, true],
  ['drain 1 claim + 1 report per task vs express-lean echo', sy('drain_c16'), m('http-ceiling', 'express-lean_w1_c16_autocannon_rps'), 0.4, true],
  ['paced 1,000/s end to end, p99 ms vs BullMQ (AOF)', sy('paced1000_c16_p99_ms'), m('bullmq', 'paced1000_c16_p99_ms'), 1.5, false],
  ['paced 1,000/s end to end, p99 ms (absolute, want < 10)', sy('paced1000_c16_p99_ms'), fixed(10), 1, false],
  ['publish rate, 1,000 queues x 3 regex interests vs 1 queue', m('switchyard-scale', 'publish_1000q_rps'), m('switchyard-scale', 'publish_1q_rps'), 0.5, true],
  ['publish rate, 10,000 queues x 3 regex interests vs 1 queue', m('switchyard-scale', 'publish_10000q_rps'), m('switchyard-scale', 'publish_1q_rps'), 0.5, true],
  ['what-if over 10,000 sampled events with 10,000 queues, ms (want < 1,000)', m('switchyard-scale', 'whatif_ms'), fixed(1000), 1, false],
  ['claim p50 with 1,000,000 waiting vs 1,000 waiting', m('switchyard-scale', 'claim_p50_ms_1m'), m('switchyard-scale', 'claim_p50_ms_1k'), 1.5, false],
  ['broker RSS MB with 1,000,000 waiting (want < 250)', m('switchyard-scale', 'rss_mb_1m'), fixed(250), 1, false],
  ['SDK Worker (concurrency 16) drain vs raw batch drain', m('switchyard-sdk', 'drain_sdk_c16'), m('switchyard-sdk', 'drain_raw_b100_c16'), 0.8, true],
  // The mixed workloads (issue 21): publishers and single-task workers at once, 8 jobs outstanding a client.
  ['mixed, 16 clients vs beanstalkd (fsync every write)', sy('mixed_c16_rps'), m('beanstalkd', 'mixed_c16_rps'), 1.5, true],
  ['mixed, 16 clients vs BullMQ (AOF)', sy('mixed_c16_rps'), m('bullmq', 'mixed_c16_rps'), 0.5, true],
  ['mixed, 1 client, p50 ms vs beanstalkd', sy('mixed_c1_p50_ms'), m('beanstalkd', 'mixed_c1_p50_ms'), 1.5, false],
  ['publish 1/request, 1 client vs beanstalkd put', sy('enq_c1'), m('beanstalkd', 'enq_c1'), 0.8, true],
  ['drain 1 claim + 1 report per task, 16 workers vs beanstalkd', sy('drain_c16'), m('beanstalkd', 'drain_c16'), 1, true],
  ['publish beside 16 next: true workers vs publish alone', m('switchyard-beside', 'publish_beside_16_next_workers_rps'), m('switchyard-beside', 'publish_alone_rps'), 0.7, true],
  ...[1, 16].flatMap((c) => [
    [`beanstalkd protocol put, ${c} connection(s) vs beanstalkd (binlog, fsync every write)`, m('switchyard-beanstalk', `enq_c${c}`), m('beanstalkd-binlog0', `enq_c${c}`), 1, true],
    [`beanstalkd protocol reserve+delete, ${c} connection(s) vs beanstalkd (binlog, fsync every write)`, m('switchyard-beanstalk', `drain_c${c}`), m('beanstalkd-binlog0', `drain_c${c}`), 1, true],
  ]),
];
const fmt = (x) => (x === undefined || x === null ? 'n/a' : Math.abs(x) >= 100 ? String(Math.round(x)) : String(Math.round(x * 100) / 100));
const lines = [
  `Switchyard bench ${run} on ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; medians of interleaved runs (completed runs: ${Object.entries(reps).map(([p, n]) => `${p} ${n}`).join(', ')}); met = the worst rep meets it`,
  '',
  '| target | Switchyard | reference | ratio | worst rep | wanted | met |',
  '|---|---:|---:|---:|---:|---:|:---:|',
];
const results = targets.map(([what, mine, ref, want, higher]) => {
  const ratio = mine.median !== undefined && ref.median ? mine.median / ref.median : undefined;
  const perRep = [...new Set([...mine.reps, ...ref.reps])].map((rep) => mine.inRep(rep) / ref.inRep(rep)).filter(Number.isFinite);
  const worst = perRep.length ? (higher ? Math.min(...perRep) : Math.max(...perRep)) : ratio;
  const met = worst === undefined ? undefined : higher ? worst >= want : worst <= want;
  lines.push(`| ${what} | ${fmt(mine.median)} | ${fmt(ref.median)} | ${fmt(ratio)} | ${fmt(worst)} | ${higher ? '≥' : '≤'} ${want} | ${met === undefined ? 'n/a' : met ? 'yes' : '**no**'} |`);
  return { what, switchyard: mine.median ?? null, reference: ref.median ?? null, ratio: ratio ?? null, worstRepRatio: worst ?? null, want, higherIsBetter: higher, met: met ?? null };
});
writeFileSync(path.join(outDir, `${run}.json`), JSON.stringify({ run, host: { cpus: os.cpus().length, node: process.version }, completedRuns: reps, medians: med, targets: results }, null, 1));
console.log(lines.join('\n'));
if (existsSync(profileRaw)) {
  const profiled = readFileSync(profileRaw, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  console.log(`\nWhere the broker's thread went (bench/profile.mjs, medians of ${Math.max(...profiled.map((l) => l.rep))} rep(s)):\n\n${profileTable(profiled)}`);
}

function fail(msg) { console.error(`bench: ${msg}`); process.exit(1); }
