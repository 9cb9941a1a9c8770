// The brokers under soak: two processes of the built broker (dist/) over one SQLite file, each on
// its own port, killed with SIGKILL and started again on the fault schedule. Their own logs go to
// files in the scratch directory, so a run that fails can be read afterwards.
import { spawn } from 'node:child_process';
import { openSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const freePort = () => new Promise((res) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });

export class BrokerProcess {
  /** env: the broker's settings; name: for logs ("A", "B"); execArgv: node's own flags (a preload). */
  constructor(root, name, port, env, scratch, execArgv = []) {
    Object.assign(this, { root, name, port, env, scratch, execArgv, child: null, starts: 0 });
    this.url = `http://127.0.0.1:${port}`;
  }

  async start() {
    const log = openSync(path.join(this.scratch, `broker-${this.name}.log`), 'a');
    this.child = spawn(process.execPath, [...this.execArgv, path.join(this.root, 'dist', 'src', 'main.js')], {
      cwd: this.root, env: { ...process.env, ...this.env, PORT: String(this.port), HOST: '127.0.0.1' }, stdio: ['ignore', log, log],
    });
    this.starts++;
    for (let i = 0; ; i++) {
      try { if ((await fetch(`${this.url}/healthz`)).ok) return; } catch { /* starting */ }
      if (this.child.exitCode !== null) throw new Error(`broker ${this.name} exited ${this.child.exitCode} at start (see broker-${this.name}.log)`);
      if (i > 600) throw new Error(`broker ${this.name} did not answer /healthz in 60 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGKILL: no goodbye, no flush beyond what the store made durable. */
  async kill() {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    c.kill('SIGKILL');
    await new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', r)));
  }

  async stop() {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    c.kill('SIGTERM');
    await new Promise((r) => c.once('exit', r));
  }

  rssMb() {
    try { return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${this.child.pid}/status`, 'utf8'))[1]) / 1024; } catch { return null; }
  }
}

/** The SQLite file and its WAL, in MB. */
export function fileMb(db) {
  const size = (f) => { try { return statSync(f).size; } catch { return 0; } };
  return (size(db) + size(`${db}-wal`)) / 2 ** 20;
}
