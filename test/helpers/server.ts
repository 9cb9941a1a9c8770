// Starts the real broker in this process on an ephemeral port over a fresh SQLite file in a temp dir,
// or, when the run has COUCHBASE_CONNSTR, over a fresh key prefix in that Couchbase bucket.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { client } from './http.js';
import { storeEnvFor } from './couchbase.js';

/** Every scratch directory this test file made: removed when its process ends, whatever the test
 *  did with it (a full run used to leave some 900 of them, database files and all, in /tmp). */
const scratchDirs: string[] = [];
process.once('exit', () => { for (const d of scratchDirs) rmSync(d, { recursive: true, force: true }); });

export function tempDir(prefix = 'switchyard-test-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  scratchDirs.push(dir);
  return dir;
}

export interface TestServer extends RunningServer {
  dir: string;
  dbFile: string;
  api: ReturnType<typeof client>;
  stop(): Promise<void>;
}

/** env: any setting (e.g. SWITCHYARD_LEASE); sqlite: on SQLite even in a Couchbase run; sweeps run every sweepIntervalMs (default: rarely, tests call runOnce). */
export async function startTestServer(env: Record<string, string> = {}, opts: { sweepIntervalMs?: number; schedulerIntervalMs?: number; crossNodePollMs?: number; dbFile?: string; now?: () => number; sqlite?: boolean } = {}): Promise<TestServer> {
  const dir = tempDir();
  const dbFile = opts.dbFile ?? path.join(dir, 'switchyard.db');
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', SWITCHYARD_DB: dbFile, LOG_LEVEL: process.env.LOG_LEVEL ?? 'error', ...(opts.sqlite ? {} : storeEnvFor(dbFile)), ...env });
  const server = await startServer(config, { log: createLogger(config.logLevel), sweepIntervalMs: opts.sweepIntervalMs ?? 3_600_000, schedulerIntervalMs: opts.schedulerIntervalMs ?? 0, ...(opts.crossNodePollMs !== undefined ? { crossNodePollMs: opts.crossNodePollMs } : {}), ...(opts.now ? { now: opts.now } : {}) });
  return {
    ...server, dir, dbFile, api: client(server.url),
    async stop() {
      await server.close();
      if (!opts.dbFile) rmSync(dir, { recursive: true, force: true });
    },
  };
}
