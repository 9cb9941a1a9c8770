// A TCP proxy that stands in for a network between broker nodes and a local Couchbase mock: every
// byte waits DELAY_MS each way, as a cluster a rack away would make it. The SDK learns the cluster's
// addresses from configs the cluster sends, so the proxy listens beside each of the mock's ports on
// one with as many digits and rewrites the port numbers in the configs it passes on (same length,
// so no frame's length changes): the SDK then reaches every service through the proxy.
import net from 'node:net';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** The TCP ports a process listens on, from /proc (no tools needed). */
export function listeningPorts(pid) {
  const inodes = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try { const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`)); if (m) inodes.add(m[1]); } catch { /* closed meanwhile */ }
  }
  const ports = new Set();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A' && inodes.has(f[9])) ports.add(parseInt(f[1].split(':')[1], 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/** Writes chunks to `to` DELAY_MS after they arrive, in order. */
function delayedWriter(to, delayMs) {
  const queue = [];
  let timer = null;
  const flush = () => {
    timer = null;
    const now = performance.now();
    while (queue.length && queue[0].at <= now) to.write(queue.shift().chunk);
    if (queue.length) timer = setTimeout(flush, Math.max(0, queue[0].at - now));
  };
  return (chunk) => {
    queue.push({ at: performance.now() + delayMs, chunk });
    timer ??= setTimeout(flush, delayMs);
  };
}

/** Memcached binary frames from a byte stream (24-byte header, body length at offset 8). */
function frames(onFrame) {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (buf.length >= 24) {
      const total = 24 + buf.readUInt32BE(8);
      if (buf.length < total) break;
      onFrame(buf.subarray(0, total));
      buf = buf.subarray(total);
    }
  };
}

export class LatencyProxy {
  /** mockPid: the mock's process; delayMs: each way. */
  constructor(mockPid, delayMs = 1) {
    this.mockPid = mockPid;
    this.delayMs = delayMs;
    this.servers = [];
    /** mock port → proxy port */
    this.map = new Map();
    this.sockets = new Set();
    /** Connections made through the proxy, by the mock's port (to show the SDK really uses it). */
    this.connections = new Map();
    /** Key-value requests the nodes sent while `counting`, by memcached opcode (what a task costs). */
    this.ops = new Map();
    this.counting = false;
  }

  async start() {
    for (const port of listeningPorts(this.mockPid)) {
      const server = net.createServer((c) => this.connect(c, port));
      for (let tries = 0; ; tries++) {
        await new Promise((r, j) => { server.once('error', j); server.listen(0, '127.0.0.1', r); }).catch(() => undefined);
        const got = server.address()?.port;
        if (got && String(got).length === String(port).length) { this.map.set(port, got); break; }
        await new Promise((r) => server.close(r));
        if (tries > 50) throw new Error(`no free port with ${String(port).length} digits for ${port}`);
      }
      this.servers.push(server);
    }
    this.rewrites = [...this.map].map(([from, to]) => [new RegExp(`(?<![0-9])${from}(?![0-9])`, 'g'), String(to)]);
  }

  /** A connection string like connstr, through the proxy. */
  connstr(connstr) {
    return connstr.replace(/:(\d+)/g, (m, p) => (this.map.has(Number(p)) ? `:${this.map.get(Number(p))}` : m));
  }

  rewrite(buf) {
    let s = buf.toString('latin1');
    for (const [re, to] of this.rewrites) s = s.replace(re, to);
    return Buffer.from(s, 'latin1');
  }

  connect(client, port) {
    const upstream = net.connect(port, '127.0.0.1');
    this.connections.set(port, (this.connections.get(port) ?? 0) + 1);
    for (const s of [client, upstream]) { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)); }
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const toUpstream = delayedWriter(upstream, this.delayMs);
    const toClient = delayedWriter(client, this.delayMs);
    client.once('data', (first) => {
      // A memcached request (0x80, or 0x08 with flexible framing): count it by its opcode.
      const kv = first[0] === 0x80 || first[0] === 0x08;
      const onData = kv ? frames((f) => { if (this.counting) this.ops.set(f[1], (this.ops.get(f[1]) ?? 0) + 1); toUpstream(f); }) : toUpstream;
      onData(first);
      client.on('data', onData);
    });
    // A config is a memcached frame's body naming the nodes (or, on the HTTP ports, a JSON answer,
    // rewritten chunk by chunk: the SDK bootstraps over memcached, so those ports carry little).
    upstream.once('data', (first) => {
      const kv = first[0] === 0x81 || first[0] === 0x18 || first[0] === 0x82;
      const onData = kv ? frames((f) => toClient(f.includes('nodesExt') ? this.rewrite(f) : f)) : (c) => toClient(this.rewrite(c));
      onData(first);
      upstream.on('data', onData);
    });
    const end = () => { client.destroy(); upstream.destroy(); };
    client.on('close', end); upstream.on('close', end);
    client.on('error', end); upstream.on('error', end);
  }

  close() {
    for (const s of this.sockets) s.destroy();
    return Promise.all(this.servers.map((s) => new Promise((r) => s.close(r))));
  }
}
