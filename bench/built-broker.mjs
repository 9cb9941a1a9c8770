// The built broker (dist/) on a scratch SQLite file and a free loopback port, for the bench scripts
// that load it themselves, and a keep-alive JSON client for it (one request at a time per caller,
// as the peer kit's clients send them).
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { freePort, root } from './beanstalk-servers.mjs';

/** Starts it and waits for /healthz. nodeArgs go before main.js (e.g. --cpu-prof). stop() ends it. */
export async function startBuiltBroker(scratch, { nodeArgs = [], env = {} } = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, path.join(root, 'dist', 'src', 'main.js')], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', SWITCHYARD_DB: path.join(scratch, 'sy.db'), LOG_LEVEL: 'warn', SWITCHYARD_RATE_LIMIT: '0', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  /** One request; the answer's JSON, or an error naming the call for any status from 300 up. */
  const call = (method, p, body) => new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(`http://127.0.0.1:${port}${p}`, { method, agent, headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {} }, (res) => {
      let text = ''; res.on('data', (c) => { text += c; });
      res.on('end', () => (res.statusCode < 300 ? resolve(text ? JSON.parse(text) : null) : reject(new Error(`${method} ${p} ${res.statusCode} ${text.slice(0, 200)}`))));
    });
    req.on('error', reject);
    req.end(payload);
  });
  const stop = async () => { agent.destroy(); child.kill('SIGTERM'); await exited; };
  for (let i = 0; ; i++) {
    try { await call('GET', '/healthz'); break; } catch { /* starting */ }
    if (i > 300) { await stop(); throw new Error('the broker did not start'); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { call, stop, pid: child.pid };
}
