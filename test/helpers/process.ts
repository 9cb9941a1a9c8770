// Starts the broker as its own process (as `npm start` would, without the build), for crash,
// signal and multi-process tests.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { storeEnvFor } from './couchbase.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
    s.once('error', reject);
  });
}

export interface BrokerProcess { url: string; proc: ChildProcess; stderr: () => string; exited: Promise<number | null> }

export async function spawnBroker(dbFile: string, env: Record<string, string> = {}): Promise<BrokerProcess> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'main.ts')], {
    cwd: root, env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', SWITCHYARD_DB: dbFile, LOG_LEVEL: 'warn', ...storeEnvFor(dbFile), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d) => { err = (err + d).slice(-8000); if (process.env.SHOW_BROKER_LOG) process.stderr.write(d); });
  proc.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`broker exited (${proc.exitCode}): ${err}`);
    try { if ((await fetch(`${url}/healthz`)).status === 200) break; } catch { /* not up yet */ }
    if (Date.now() - t0 > 30_000) { proc.kill('SIGKILL'); throw new Error(`broker not healthy after 30 s: ${err}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, proc, stderr: () => err, exited };
}
