#!/usr/bin/env node
// How fast can a Node.js server answer one connection's durable beanstalkd `put`, and its
// `reserve`+`delete`, at all? Beside beanstalkd with a binlog fsynced on every write (the kit's
// beanstalkd-binlog0) and Switchyard's listener, same client (the peer kit's jackd), one connection,
// reps interleaved, runs two floors:
//   floor-log     Node appends each put and each delete to a preallocated file, fdatasyncs, answers
//                 (what beanstalkd itself does, in Node; a reserve, as in beanstalkd, writes nothing);
//   floor-sqlite  the same, but a put is one INSERT and a delete one DELETE in a one-table SQLite
//                 file in WAL mode with synchronous=FULL (the least any server over the embedded
//                 store can do).
// They answer `use`, `watch`, `put`, `reserve-with-timeout` and `delete` only: ready jobs in an array, no
// routing, no JSON, nothing else. For the HTTP publish (issue 21: one client's publish >= 0.8x
// beanstalkd's put), the same rep also times one keep-alive HTTP client, one request at a time, as
// the peer kit's Switchyard adapter sends them:
//   floor-http    node:http reads a PUT's JSON body, appends it to a preallocated file, fdatasyncs
//                 and answers 201 (the least any durable HTTP publish on Node can do);
//   switchyard-http  Switchyard's PUT /task into one queue.
//   node bench/durable-floor.mjs        REPS=5 BENCH_N=3000, PEER_KIT=../shared/bench/peers
// Writes bench/results/<run>-durable-floor.json and prints each rep's ratios to beanstalkd.
import { createRequire } from 'node:module';
import { existsSync, ftruncateSync, fdatasyncSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beanstalkServers, freePort, root } from './beanstalk-servers.mjs';


/** Server mode: `durable-floor.mjs serve <log|sqlite|http> <port> <file>`. */
function serve(mode, port, file) {
  const fd = openSync(file, 'w+');
  ftruncateSync(fd, 64 << 20); // preallocated, as beanstalkd's binlog: a sync then writes no file size
  let pos = 0;
  if (mode === 'http') {
    http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        JSON.parse(body.toString('utf8'));
        writeSync(fd, body, 0, body.length, pos); fdatasyncSync(fd); pos += body.length;
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    }).listen(port, '127.0.0.1');
    return;
  }
  let id = 0;
  const append = (record) => { writeSync(fd, record, 0, record.length, pos); fdatasyncSync(fd); pos += record.length; };
  /** Stores a put durably (the command as it came, or its body) and answers its id; removes a job durably. */
  let store = { put: (command) => { append(command); return ++id; }, remove: (jobId) => append(Buffer.from(`delete ${jobId}\r\n`)) };
  if (mode === 'sqlite') {
    const Database = createRequire(path.join(root, 'package.json'))('better-sqlite3');
    const db = new Database(`${file}.db`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE IF NOT EXISTS jobs (id INTEGER PRIMARY KEY, tube TEXT, body BLOB)');
    const insert = db.prepare('INSERT INTO jobs (tube, body) VALUES (?, ?)');
    const remove = db.prepare('DELETE FROM jobs WHERE id = ?');
    store = { put: (command, body) => Number(insert.run('floor', body).lastInsertRowid), remove: (jobId) => remove.run(jobId) };
  }
  const ready = [];
  net.createServer({ noDelay: true }, (sock) => {
    sock.on('error', () => {});
    let buf = Buffer.alloc(0);
    sock.on('data', (d) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      const out = [];
      for (;;) {
        const eol = buf.indexOf('\r\n');
        if (eol < 0) break;
        const line = buf.toString('latin1', 0, eol);
        if (line.startsWith('put ')) {
          const bytes = Number(line.split(' ')[4]);
          const end = eol + 2 + bytes + 2;
          if (buf.length < end) break;
          const body = Buffer.from(buf.subarray(eol + 2, eol + 2 + bytes));
          const jobId = store.put(buf.subarray(0, end), body);
          ready.push({ jobId, body });
          buf = buf.subarray(end);
          out.push(`INSERTED ${jobId}\r\n`);
        } else if (line.startsWith('reserve')) {
          buf = buf.subarray(eol + 2);
          const job = ready.shift();
          out.push(job ? `RESERVED ${job.jobId} ${job.body.length}\r\n${job.body.toString('latin1')}\r\n` : 'TIMED_OUT\r\n');
        } else if (line.startsWith('delete ')) {
          buf = buf.subarray(eol + 2);
          store.remove(Number(line.slice(7)));
          out.push('DELETED\r\n');
        } else {
          buf = buf.subarray(eol + 2);
          out.push(line.startsWith('use ') ? `USING ${line.slice(4)}\r\n` : line.startsWith('watch ') ? 'WATCHING 2\r\n' : 'UNKNOWN_COMMAND\r\n');
        }
      }
      if (out.length) sock.write(out.join(''));
    });
  }).listen(port, '127.0.0.1');
}

if (process.argv[2] === 'serve') {
  serve(process.argv[3], Number(process.argv[4]), process.argv[5]);
} else {
  const kit = process.env.PEER_KIT ?? path.resolve(root, '..', 'shared', 'bench', 'peers');
  if (!existsSync(path.join(kit, 'node_modules', 'jackd'))) { console.error(`bench: no set-up peer kit at ${kit} (set PEER_KIT; run its setup.sh)`); process.exit(1); }
  const { startServer, scratchDir } = await import(pathToFileURL(path.join(kit, 'lib', 'servers.mjs')).href);
  const Jackd = createRequire(path.join(kit, 'package.json'))('jackd');
  const REPS = Number(process.env.REPS ?? 5);
  const N = Number(process.env.BENCH_N ?? 3000);
  const runId = process.env.BENCH_RUN_ID ?? new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const started = beanstalkServers({ startServer, scratchDir });
  const self = fileURLToPath(import.meta.url);
  // Every server's data on the kit's scratch disk, where beanstalkd's binlog is: fsyncs cost the same.
  const floor = (mode) => (port) => startServer(process.execPath, [self, 'serve', mode, String(port), path.join(scratchDir(`floor-${mode}`), 'log')], { port, name: `floor-${mode}` });
  const servers = {
    'beanstalkd-binlog0': started['beanstalkd-binlog0'],
    'floor-log': floor('log'),
    'floor-sqlite': floor('sqlite'),
    'switchyard-beanstalk': started['switchyard-beanstalk'],
  };
  // Over HTTP: the port given is the HTTP one.
  const httpServers = {
    'floor-http': floor('http'),
    'switchyard-http': async (port) => startServer(process.execPath, [path.join(root, 'dist', 'src', 'main.js')], {
      port, name: 'switchyard-http',
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('COUCHBASE_'))),
        PORT: String(port), SWITCHYARD_DB: path.join(scratchDir('switchyard-http'), 'db.sqlite'), LOG_LEVEL: 'warn',
      },
    }),
  };

  /** From one jackd connection, after 200 to warm up (the payload is the kit's size): puts per
   *  second, then reserve+delete per second over the jobs those puts made, as the kit's drain does. */
  async function ratesOf(port) {
    const c = new Jackd();
    await c.connect({ host: '127.0.0.1', port });
    await c.use('floor');
    await c.watch('floor');
    const body = JSON.stringify({ i: 0, t: 0, pad: 'x'.repeat(100) });
    const timed = async (n, op) => { const t0 = performance.now(); for (let i = 0; i < n; i++) await op(); return Math.round(n / ((performance.now() - t0) / 1000)); };
    const reserveDelete = async () => { const { id } = await c.reserveWithTimeout(1); await c.delete(id); };
    for (let i = 0; i < 200; i++) await c.put(body);
    const put = await timed(N, () => c.put(body));
    for (let i = 0; i < 200; i++) await reserveDelete();
    const reserveDel = await timed(N, reserveDelete);
    await c.quit();
    return { put, reserveDelete: reserveDel };
  }

  /** Publishes per second from one keep-alive HTTP client, one at a time, after 200 to warm up. */
  async function httpPutsPerSecond(port) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const send = (method, p, body) => new Promise((resolve, reject) => {
      const payload = Buffer.from(JSON.stringify(body));
      const req = http.request({ host: '127.0.0.1', port, path: p, method, agent, headers: { 'content-type': 'application/json', 'content-length': payload.length } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode < 300 ? resolve() : reject(new Error(`${method} ${p}: ${res.statusCode}`))));
      });
      req.once('error', reject);
      req.end(payload);
    });
    await send('PUT', '/interest', { queue: 'floor', interests: { '^benchQueue$': '^floor$' } });
    const event = { publisher: 'floor', data: { benchQueue: 'floor', i: 0, t: 0, pad: 'x'.repeat(100) } };
    for (let i = 0; i < 200; i++) await send('PUT', '/task', event);
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await send('PUT', '/task', event);
    const rate = Math.round(N / ((performance.now() - t0) / 1000));
    agent.destroy();
    return { put: rate };
  }

  const rows = [];
  for (let rep = 1; rep <= REPS; rep++) {
    const row = { rep };
    for (const [name, start, rates] of [...Object.entries(servers).map(([n, s]) => [n, s, ratesOf]), ...Object.entries(httpServers).map(([n, s]) => [n, s, httpPutsPerSecond])]) {
      const port = await freePort();
      const server = await start(port);
      try { row[name] = await rates(port); } finally { await server.stop(); }
    }
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  for (const op of ['put', 'reserveDelete']) {
    console.log(`\n${op}, 1 connection, ÷ beanstalkd-binlog0 per rep:`);
    for (const name of [...Object.keys(servers).slice(1), ...(op === 'put' ? Object.keys(httpServers) : [])]) {
      const ratios = rows.map((r) => r[name][op] / r['beanstalkd-binlog0'][op]);
      console.log(`  ${name.padEnd(22)} ${ratios.map((x) => x.toFixed(2)).join('  ')}   worst ${Math.min(...ratios).toFixed(2)}`);
    }
  }
  mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(root, 'bench', 'results', `${runId}-durable-floor.json`), JSON.stringify({ run_id: runId, n: N, rows }, null, 1) + '\n');
  process.exit(0);
}
