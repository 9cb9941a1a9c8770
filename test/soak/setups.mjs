// The two soak setups and their faults. SQLite: two broker processes over one file; faults in turn:
// kill -9 one process (the other serves on) and start it again, and the disk full, then freed.
// Couchbase (when COUCHBASE_CONNSTR is set): three stateless nodes over the cluster; faults in turn:
// kill -9 one node and start it again, the cluster paused (SIGSTOP to COUCHBASE_PAUSE_PID, the local
// mock) for 10 s and resumed, and one node started again with its clock skewed by seconds.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { BrokerProcess, fileMb, freePort } from './brokers.mjs';
import { Disk } from './disk.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** How far a skewed node's clock runs ahead: well under the lease, as any cluster needs. */
const SKEW_MS = 2000;
/** The soak's push receiver listens on loopback, which push targets may not be unless allowed. */
const PUSH_TO_RECEIVER = { SWITCHYARD_PUSH_ALLOW: '127.0.0.1' };

async function restart(b, rng, say) {
  say(`fault: kill -9 broker ${b.name} (pid ${b.child.pid})`);
  await b.kill();
  await sleep(500 + rng() * 1500);
  await b.start();
  say(`broker ${b.name} back (pid ${b.child.pid})`);
}

export async function sqliteSetup(root, scratch) {
  const disk = new Disk(scratch);
  const { db, env: diskEnv, execArgv } = disk.brokerSetup();
  // Short leases and backoffs, so hung tasks and retries come round many times within the run.
  const env = { SWITCHYARD_DB: db, ...PUSH_TO_RECEIVER, LOG_LEVEL: 'warn', SWITCHYARD_RATE_LIMIT: '0', SWITCHYARD_LEASE: '3', ...diskEnv };
  const brokers = await Promise.all(['A', 'B'].map(async (name) => new BrokerProcess(root, name, await freePort(), env, scratch, execArgv)));
  let next = 0;
  return {
    store: 'SQLite, two processes on one file', brokers, publishEveryMs: 40,
    describe: `disk full: ${disk.kind}`,
    kinds: ['kill -9 of one of two processes on one file, started again', 'disk full, then freed'],
    async inject(kind, rng, say) {
      if (kind.startsWith('kill')) return restart(brokers[next++ % 2], rng, say);
      const mb = disk.fill();
      say(`fault: disk full${mb ? ` (${mb} MB filler)` : ''}`);
      await sleep(2000 + rng() * 3000);
      disk.free();
      say('disk freed');
    },
    size: () => `${Math.round(fileMb(db) * 10) / 10} MB file`,
    close: (failed) => (failed ? disk.free() : disk.close()),
  };
}

export async function couchbaseSetup(root, scratch) {
  const e = process.env;
  const env = {
    COUCHBASE_CONNSTR: e.COUCHBASE_CONNSTR, COUCHBASE_USERNAME: e.COUCHBASE_USERNAME ?? 'Administrator', COUCHBASE_PASSWORD: e.COUCHBASE_PASSWORD ?? 'password',
    COUCHBASE_BUCKET: e.COUCHBASE_BUCKET ?? 'default', COUCHBASE_KEY_PREFIX: `soak-${randomUUID().slice(0, 8)}`,
    ...PUSH_TO_RECEIVER, LOG_LEVEL: 'warn', SWITCHYARD_RATE_LIMIT: '0', SWITCHYARD_LEASE: '10', SWITCHYARD_DB: path.join(scratch, 'unused.db'),
  };
  const brokers = await Promise.all(['A', 'B', 'C'].map(async (name) => new BrokerProcess(root, name, await freePort(), env, scratch)));
  const pid = Number(e.COUCHBASE_PAUSE_PID);
  const kinds = ['kill -9 of one of three nodes, started again', 'one node\'s clock skewed by 2 s'];
  if (pid) kinds.push('the cluster paused 10 s (SIGSTOP), then resumed');
  let next = 0;
  return {
    store: `Couchbase (${e.COUCHBASE_CONNSTR}), three nodes`, brokers, publishEveryMs: 150,
    describe: pid ? `cluster pause: SIGSTOP to pid ${pid}` : 'cluster pause: skipped (COUCHBASE_PAUSE_PID not set)',
    kinds,
    async inject(kind, rng, say) {
      const b = brokers[next++ % 3];
      if (kind.startsWith('kill')) return restart(b, rng, say);
      if (kind.includes('clock')) {
        // The node runs on with its clock ahead (a preload shifts Date.now), until its next restart.
        say(`fault: broker ${b.name} started again with its clock ${SKEW_MS / 1000} s ahead`);
        await b.stop();
        b.execArgv = ['--import', path.join(here, 'skew-preload.mjs')];
        b.env = { ...b.env, SOAK_CLOCK_SKEW_MS: String(SKEW_MS) };
        await b.start();
        b.execArgv = [];
        b.env = env;
        return;
      }
      say('fault: cluster paused (SIGSTOP) for 10 s');
      process.kill(pid, 'SIGSTOP');
      try { await sleep(10_000); } finally { process.kill(pid, 'SIGCONT'); }
      say('cluster resumed');
    },
    size: () => 'n/a (cluster)',
    close: () => undefined,
  };
}
