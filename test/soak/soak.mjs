#!/usr/bin/env node
// `npm run soak`: mixed load on two broker processes over one SQLite file while faults are injected
// on a schedule, then an independent check of the final state against everything the clients saw
// (check.mjs). SOAK_SECONDS (300) long; SOAK_SEED replays the same schedule and client choices;
// SOAK_KILL_EVERY (30) seconds between faults, of the kinds setups.mjs names in turn. On SQLite by
// default; on Couchbase, three nodes, when COUCHBASE_CONNSTR is set.
// Prints the schedule as it goes, then each invariant with its count; exits 1 if one broke, naming
// the tasks and their histories. The scratch directory (logs, the file) is kept when a run fails.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Seen, httpClient, publisher, batchPublisher, worker, operator, purger } from './clients.mjs';
import { PushReceiver } from './receiver.mjs';
import { check } from './check.mjs';
import { couchbaseSetup, sqliteSetup } from './setups.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SECONDS = Number(process.env.SOAK_SECONDS ?? 300);
const SEED = Number(process.env.SOAK_SEED ?? Math.floor(Math.random() * 2 ** 31));
const KILL_EVERY_MS = Number(process.env.SOAK_KILL_EVERY ?? 30) * 1000;
const say = (...a) => console.log(`[soak +${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);
const t0 = Date.now();
/** a, b: workers; c: one slow worker, and purges; p: pushed; the schedule's ticks go to 'ticks'. */
const QUEUES = ['a', 'b', 'c', 'p'];

/** mulberry32: a small seeded generator, so SOAK_SEED replays a run's choices. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32; };
}

if (spawnSync(process.execPath, [path.join(root, 'bin', 'build-if-changed.mjs')], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);
const scratch = mkdtempSync(path.join(os.tmpdir(), 'switchyard-soak-'));
const setup = process.env.COUCHBASE_CONNSTR ? await couchbaseSetup(root, scratch) : await sqliteSetup(root, scratch);
const { brokers } = setup;
const rng = seeded(SEED);
const seen = new Seen();
const call = httpClient(brokers.map((b) => b.url), seen);
const receiver = new PushReceiver(`soak-${SEED}`, seeded(SEED + 1));
const faults = Object.fromEntries(setup.kinds.map((k) => [k, 0]));
say(`${setup.store}; seed ${SEED} (SOAK_SEED=${SEED} replays it), ${SECONDS} s, a fault every ${KILL_EVERY_MS / 1000} s, scratch ${scratch}; ${setup.describe}`);

let failed = true;
try {
  for (const b of brokers) await b.start();
  await receiver.listen();
  for (const q of [...QUEUES, 'ticks']) await call('PUT', '/interest', { queue: q, interests: { q: `^${q}$` } });

  await call('PATCH', '/queue', { queue: 'a', maxAttempts: 3, backoffSeconds: 1, maxBackoffSeconds: 2 });
  await call('PATCH', '/queue', { queue: 'b', maxAttempts: 2, backoffSeconds: 1, maxBackoffSeconds: 2 });
  await call('PATCH', '/queue', { queue: 'p', pushUrl: receiver.url, pushSecret: receiver.secret, pushTimeoutSeconds: 1, concurrency: 8, maxAttempts: 6, backoffSeconds: 1, maxBackoffSeconds: 2 });
  await call('PUT', '/schedule', { name: 'every-second', cron: '* * * * * *', event: { publisher: 'soak-cron', data: { q: 'ticks' } } });

  const ctx = { call, seen, rng, stopped: false, publishEveryMs: setup.publishEveryMs };
  const clients = [
    ...['p1', 'p2', 'p3', 'p4'].map((n) => publisher(ctx, n)),
    batchPublisher(ctx, 'batch'),
    ...[['a'], ['a'], ['b'], ['b', 'a'], ['b', 'a'], ['a', 'b']].map((q) => worker(ctx, q)),
    worker(ctx, ['c'], { slowMs: 300 }),
    operator(ctx),
    purger(ctx),
    receiver.cycle(ctx, say),
  ];

  // The fault schedule: the k-th near start + k x SOAK_KILL_EVERY (none in the last 5 s), the
  // setup's kinds in turn.
  const start = Date.now();
  const endAt = start + SECONDS * 1000;
  for (let k = 0; ; k++) {
    const at = start + (k + 1) * KILL_EVERY_MS + (rng() - 0.5) * 4000;
    if (at > endAt - 5000) break;
    await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
    const kind = setup.kinds[k % setup.kinds.length];
    say(`(tasks published so far ${seen.published.size}, lost answers ${seen.lost}, 503s ${seen.statuses.get(503) ?? 0})`);
    await setup.inject(kind, rng, say);
    faults[kind]++;
  }
  await new Promise((r) => setTimeout(r, Math.max(0, endAt - Date.now())));
  ctx.stopped = true;
  await Promise.all(clients);
  // Every broker back (a fault may have ended the run with one down), the schedule paused.
  for (const b of brokers) if (b.child.exitCode !== null || b.child.signalCode !== null) await b.start();
  await call('PATCH', '/schedule', { name: 'every-second', paused: true });
  say('load stopped; checking');

  const rss = brokers.map((b) => `${b.name} ${Math.round(b.rssMb())} MB`).join(', ');
  const results = await check(call, seen, { schedule: { queue: 'ticks' }, queues: [...QUEUES, 'ticks'], pushed: 'p', purged: 'c', receiver });
  const figures = {
    seed: SEED, seconds: SECONDS, requests: seen.requests, lostAnswers: seen.lost, tasksPublished: seen.published.size,
    successes: seen.successes.size, purges: seen.purges, purged: seen.purged,
    pushDeliveries: receiver.deliveries, pushAnswers: Object.fromEntries(receiver.statuses), receiverSlow: receiver.periods.slow, receiverDown: receiver.periods.down, failedOnPurpose: seen.failedOnPurpose, hung: seen.hung, vanished: seen.vanished, retriedByOperator: seen.retriedByOperator,
    faults, brokerRss: rss, size: setup.size(),
    statuses: Object.fromEntries([...seen.statuses].sort((x, y) => x[0] - y[0])), refusals: Object.fromEntries(seen.refusals),
  };
  console.log(JSON.stringify(figures));
  for (const r of results) {
    const extra = Object.entries(r).filter(([k]) => !['name', 'held', 'count', 'broken'].includes(k)).map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(`${r.held ? 'held ' : 'BROKE'} ${r.name}: ${r.count} checked${extra ? ` (${extra})` : ''}`);
    for (const b of r.broken) console.log(`      ${JSON.stringify(b).slice(0, 2000)}`);
  }
  writeFileSync(path.join(scratch, 'result.json'), JSON.stringify({ figures, results }, null, 1));
  failed = results.some((r) => !r.held);
  const fewest = Math.min(...Object.values(faults));
  const wanted = SECONDS >= 300 ? 3 : 1;
  if (fewest < wanted) { console.log(`BROKE a fault kind was injected ${fewest} time(s), fewer than ${wanted}: make SOAK_SECONDS longer or SOAK_KILL_EVERY shorter`); failed = true; }
  say(failed ? `FAILED: an invariant broke (logs and file kept in ${scratch})` : 'every invariant held');
} finally {
  await Promise.all(brokers.map((b) => b.stop().catch(() => undefined)));
  await receiver.close();
  setup.close(failed);
  if (!failed) rmSync(scratch, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
