#!/usr/bin/env node
// The beanstalkd protocol's rates beside beanstalkd's own, same client (the peer kit's jackd), same
// run, reps interleaved: beanstalkd with a binlog fsynced on every write (the kit's
// beanstalkd-binlog0, durable as Switchyard's default SWITCHYARD_SYNC=full is), then Switchyard's
// listener over its embedded store. put = enq_c<C>, reserve+delete = drain_c<C>, mixed = both at once.
//   node bench/beanstalk.mjs              REPS=3 BENCH_N=5000, PEER_KIT=../shared/bench/peers
// Prints one JSON line per peer and rep (bench/run.mjs adds them to its table), and a summary.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beanstalkServers, freePort, root } from './beanstalk-servers.mjs';

const kit = process.env.PEER_KIT ?? path.resolve(root, '..', 'shared', 'bench', 'peers');
if (!existsSync(path.join(kit, 'node_modules', 'jackd'))) { console.error(`bench: no set-up peer kit at ${kit} (set PEER_KIT; run its setup.sh)`); process.exit(1); }
const lib = (f) => import(pathToFileURL(path.join(kit, 'lib', f)).href);
const { runMatrix, matrixOpts, takeAckConsumers } = await lib('harness.mjs');
const { startServer, scratchDir } = await lib('servers.mjs');
const Jackd = createRequire(path.join(kit, 'package.json'))('jackd');

const REPS = Number(process.env.REPS ?? 3);
const N = Number(process.env.BENCH_N ?? 5000);
const runId = process.env.BENCH_RUN_ID ?? new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');


/** The kit's beanstalkd adapter, against any port: one connection per producer loop and consumer. */
function adapter(port) {
  const connect = async () => { const c = new Jackd(); await c.connect({ host: '127.0.0.1', port }); return c; };
  return {
    supportsBatch: { enqueue: false, drain: false },
    async newQueue() {},
    async producers(tube, C) {
      return Promise.all(Array.from({ length: C }, async () => {
        const c = await connect();
        await c.use(tube);
        return { put: (obj) => c.put(JSON.stringify(obj)), close: () => c.quit() };
      }));
    },
    consume: takeAckConsumers(async (tube) => {
      const c = await connect();
      await c.watch(tube);
      await c.ignore('default');
      return {
        async take() {
          try {
            const { id, payload } = await c.reserveWithTimeout(1);
            return [{ id, data: JSON.parse(payload.toString()) }];
          } catch (e) {
            if (/TIMED_OUT|DEADLINE_SOON/.test(String(e?.message ?? e))) return [];
            throw e;
          }
        },
        ack: (jobs) => c.delete(jobs[0].id),
        close: () => c.quit(),
      };
    }),
  };
}

const peers = beanstalkServers({ startServer, scratchDir });
const rows = [];
for (let rep = 1; rep <= REPS; rep++) {
  for (const [peer, start] of Object.entries(peers)) {
    const port = await freePort();
    const server = await start(port);
    try {
      const { metrics } = await runMatrix(adapter(port), { ...matrixOpts({ n: N, c: '1,16', paced: '' }, peer), batch: 1 });
      const row = { run_id: runId, peer, rep, client: `jackd ${createRequire(path.join(kit, 'package.json'))('jackd/package.json').version}`, metrics };
      rows.push(row);
      console.log(JSON.stringify(row));
    } finally {
      await server.stop();
    }
  }
}
const keys = ['enq_c1', 'enq_c16', 'drain_c1', 'drain_c16', 'mixed_c16_rps'];
console.error('\nratio Switchyard / beanstalkd-binlog0, per rep (want ≥ 1):');
for (const k of keys) {
  const ratios = Array.from({ length: REPS }, (_, i) => {
    const of = (p) => rows.find((r) => r.peer === p && r.rep === i + 1)?.metrics[k];
    return of('switchyard-beanstalk') / of('beanstalkd-binlog0');
  });
  console.error(`  ${k.padEnd(14)} ${ratios.map((r) => r.toFixed(2)).join('  ')}   worst ${Math.min(...ratios).toFixed(2)}`);
}
process.exit(0);
