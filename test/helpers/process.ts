// Starts the broker as its own process (as `npm start` would, without the build), for crash,
// signal and multi-process tests; freePort() is only for an address where nothing listens.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { storeEnvFor } from './couchbase.js';
import './checked-fetch.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
    s.once('error', reject);
  });
}

export interface BrokerProcess { url: string; proc: ChildProcess; stderr: () => string; exited: Promise<number | null> }

/** Starts a broker process on a port it binds itself (PORT=0), read back from its "listening" log
 *  line: no port is picked here and released for another process to take first. */
export async function spawnBroker(dbFile: string, env: Record<string, string> = {}): Promise<BrokerProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'main.ts')], {
    cwd: root, env: { ...process.env, PORT: '0', HOST: '127.0.0.1', SWITCHYARD_DB: dbFile, LOG_LEVEL: 'info', ...storeEnvFor(dbFile), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let pending = '';
  let url: string | null = null;
  proc.stderr!.on('data', (d) => {
    err = (err + d).slice(-8000);
    if (process.env.SHOW_BROKER_LOG) process.stderr.write(d);
    if (url) return;
    pending += d;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      try {
        const entry = JSON.parse(line) as { message?: string; url?: string };
        if (entry.message === 'switchyard listening' && entry.url) url = entry.url;
      } catch { /* not a log line */ }
    }
  });
  proc.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const t0 = Date.now();
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`broker exited (${proc.exitCode}): ${err}`);
    if (url) {
      try { if ((await fetch(`${url}/healthz`)).status === 200) break; } catch { /* not up yet */ }
    }
    if (Date.now() - t0 > 30_000) { proc.kill('SIGKILL'); throw new Error(`broker not healthy after 30 s: ${err}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url: url!, proc, stderr: () => err, exited };
}
