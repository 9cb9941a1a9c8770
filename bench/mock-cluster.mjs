// What the cluster benches (cluster.mjs, cluster-latency.mjs) share: a local Couchbase mock to reach
// (or a plain skip when there is none), a fresh build, and a broker node's settings over the mock.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';

/** The mock's pid (COUCHBASE_PAUSE_PID), after building dist/ if a source changed; without a mock,
 *  says so and exits 0. */
export function mockPidOrSkip(root, log) {
  const pid = Number(process.env.COUCHBASE_PAUSE_PID);
  if (!process.env.COUCHBASE_CONNSTR || !pid) {
    log('skipped: needs COUCHBASE_CONNSTR (a local mock, see the README\'s Tests section) and the mock\'s pid in COUCHBASE_PAUSE_PID');
    process.exit(0);
  }
  if (spawnSync(process.execPath, [path.join(root, 'bin', 'build-if-changed.mjs')], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);
  return pid;
}

/** A broker node's settings over the mock reached at connstr, under a key prefix of its own run. */
export function nodeEnv(connstr, scratch, extra = {}) {
  const e = process.env;
  return {
    COUCHBASE_CONNSTR: connstr, COUCHBASE_USERNAME: e.COUCHBASE_USERNAME ?? 'Administrator', COUCHBASE_PASSWORD: e.COUCHBASE_PASSWORD ?? 'password',
    COUCHBASE_BUCKET: e.COUCHBASE_BUCKET ?? 'default', COUCHBASE_KEY_PREFIX: `bench-${randomUUID().slice(0, 8)}`,
    LOG_LEVEL: 'warn', SWITCHYARD_RATE_LIMIT: '0', SWITCHYARD_DB: path.join(scratch, 'unused.db'), ...extra,
  };
}
