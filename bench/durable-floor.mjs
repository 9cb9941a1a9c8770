#!/usr/bin/env node
// How fast can a Node.js server answer one connection's durable beanstalkd `put` at all? Beside
// beanstalkd with a binlog fsynced on every write (the kit's beanstalkd-binlog0) and Switchyard's
// listener, same client (the peer kit's jackd), one connection, reps interleaved, runs two floors:
//   floor-log     Node reads the put, appends it to a preallocated file, fdatasyncs, answers
//                 (what beanstalkd itself does, in Node);
//   floor-sqlite  the same, but the put is one INSERT into a one-table SQLite file in WAL mode with
//                 synchronous=FULL (the least any server over the embedded store can do).
// They answer `put` and `use` only: no ids beyond a counter, no routing, no JSON, nothing else.
//   node bench/durable-floor.mjs        REPS=5 BENCH_N=3000, PEER_KIT=../shared/bench/peers
// Writes bench/results/<run>-durable-floor.json and prints each rep's ratios to beanstalkd.
import { createRequire } from 'node:module';
import { existsSync, ftruncateSync, fdatasyncSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beanstalkServers, freePort, root } from './beanstalk-servers.mjs';


/** Server mode: `durable-floor.mjs serve <log|sqlite> <port> <file>`. */
function serve(mode, port, file) {
  const fd = openSync(file, 'w+');
  ftruncateSync(fd, 64 << 20); // preallocated, as beanstalkd's binlog: a sync then writes no file size
  let insert = null;
  if (mode === 'sqlite') {
    const Database = createRequire(path.join(root, 'package.json'))('better-sqlite3');
    const db = new Database(`${file}.db`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE IF NOT EXISTS jobs (id INTEGER PRIMARY KEY, tube TEXT, body BLOB)');
    const st = db.prepare('INSERT INTO jobs (tube, body) VALUES (?, ?)');
    insert = (body) => st.run('floor', body);
  }
  let pos = 0;
  let id = 0;
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
          if (insert) insert(buf.subarray(eol + 2, eol + 2 + bytes));
          else { writeSync(fd, buf, 0, end, pos); fdatasyncSync(fd); }
          pos += end;
          buf = buf.subarray(end);
          out.push(`INSERTED ${++id}\r\n`);
        } else {
          buf = buf.subarray(eol + 2);
          out.push(line.startsWith('use ') ? `USING ${line.slice(4)}\r\n` : 'UNKNOWN_COMMAND\r\n');
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

  /** Puts per second from one jackd connection, after 200 to warm up; the payload is the kit's size. */
  async function putsPerSecond(port) {
    const c = new Jackd();
    await c.connect({ host: '127.0.0.1', port });
    await c.use('floor');
    const body = JSON.stringify({ i: 0, t: 0, pad: 'x'.repeat(100) });
    for (let i = 0; i < 200; i++) await c.put(body);
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await c.put(body);
    const rate = N / ((performance.now() - t0) / 1000);
    await c.quit();
    return Math.round(rate);
  }

  const rows = [];
  for (let rep = 1; rep <= REPS; rep++) {
    const row = { rep };
    for (const [name, start] of Object.entries(servers)) {
      const port = await freePort();
      const server = await start(port);
      try { row[name] = await putsPerSecond(port); } finally { await server.stop(); }
    }
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  console.log('\nput, 1 connection, ÷ beanstalkd-binlog0 per rep:');
  for (const name of Object.keys(servers).slice(1)) {
    const ratios = rows.map((r) => r[name] / r['beanstalkd-binlog0']);
    console.log(`  ${name.padEnd(22)} ${ratios.map((x) => x.toFixed(2)).join('  ')}   worst ${Math.min(...ratios).toFixed(2)}`);
  }
  mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(root, 'bench', 'results', `${runId}-durable-floor.json`), JSON.stringify({ run_id: runId, n: N, rows }, null, 1) + '\n');
  process.exit(0);
}
