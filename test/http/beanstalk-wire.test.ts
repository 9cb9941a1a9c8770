// The beanstalkd listener byte for byte: exact replies and errors, bodies of any bytes, limits, a
// client sending garbage or vanishing mid-body, thousands of idle connections, DRAINING on a stop.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/until.js';

/** A bare TCP client: send bytes, read one reply at a time (a line, and the data some replies carry). */
class Wire {
  private buf = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  closed = false;
  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => { this.buf = Buffer.concat([this.buf, d]); this.wake?.(); });
    socket.on('close', () => { this.closed = true; this.wake?.(); });
    socket.on('error', () => undefined);
  }

  static async open(port: number): Promise<Wire> {
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return new Wire(socket);
  }

  send(data: string | Buffer): this { this.socket.write(data); return this; }

  /** The next reply: its line, and its data for RESERVED, FOUND and OK. */
  async reply(): Promise<{ line: string; data?: Buffer }> {
    for (;;) {
      const end = this.buf.indexOf('\r\n');
      if (end >= 0) {
        const line = this.buf.subarray(0, end).toString('latin1');
        const withData = /^(RESERVED|FOUND|OK) /.test(line);
        const bytes = withData ? Number(line.split(' ').at(-1)) : 0;
        if (!withData) { this.buf = this.buf.subarray(end + 2); return { line }; }
        if (this.buf.length >= end + 2 + bytes + 2) {
          const data = Buffer.from(this.buf.subarray(end + 2, end + 2 + bytes));
          this.buf = this.buf.subarray(end + 2 + bytes + 2);
          return { line, data };
        }
      }
      if (this.closed) throw new Error(`closed before a whole reply (have ${JSON.stringify(this.buf.toString('latin1'))})`);
      await new Promise<void>((r) => { this.wake = r; });
      this.wake = null;
    }
  }

  async line(data: string | Buffer): Promise<string> { return (await this.send(data).reply()).line; }

  async gone(): Promise<void> { if (!this.closed) await once(this.socket, 'close'); }
  end(): void { this.socket.destroy(); }
}

describe('the beanstalkd wire', () => {
  let s: TestServer;
  let port: number;
  before(async () => {
    s = await startTestServer({ SWITCHYARD_BEANSTALK_PORT: '0', SWITCHYARD_BEANSTALK_MAX_JOB_SIZE: '1024' }, { sweepIntervalMs: 1000 });
    port = s.beanstalkPort!;
  });
  after(() => s.stop());

  it('answers with the protocol\'s exact replies and errors, and bodies of any bytes come back as sent', async () => {
    const w = await Wire.open(port);
    assert.equal(await w.line('use wire\r\n'), 'USING wire');
    const bytes = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x80, 0x41]);
    const put = await w.line(Buffer.concat([Buffer.from(`put 10 0 60 ${bytes.length}\r\n`), bytes, Buffer.from('\r\n')]));
    const id = /^INSERTED (\d+)$/.exec(put)?.[1];
    assert.ok(id, put);
    assert.equal(await w.line('watch wire\r\n'), 'WATCHING 2');
    assert.equal(await w.line('ignore default\r\n'), 'WATCHING 1');
    assert.equal(await w.line('ignore wire\r\n'), 'NOT_IGNORED');
    const r = await w.send('reserve-with-timeout 5\r\n').reply();
    assert.deepEqual([r.line, r.data], [`RESERVED ${id} ${bytes.length}`, bytes]);
    const peek = await w.send(`peek ${id}\r\n`).reply();
    assert.deepEqual([peek.line, peek.data], [`FOUND ${id} ${bytes.length}`, bytes]);
    const stats = await w.send(`stats-job ${id}\r\n`).reply();
    assert.match(stats.line, /^OK \d+$/);
    assert.match(stats.data!.toString(), /^---\nid: \d+\ntube: wire\nstate: reserved\npri: 10\n/);
    assert.equal(await w.line('reserve-with-timeout 0\r\n'), 'TIMED_OUT');
    assert.equal(await w.line(`delete ${id}\r\n`), 'DELETED');
    for (const c of [`delete ${id}`, `peek ${id}`, `stats-job ${id}`, `touch ${id}`, `release ${id} 0 0`, `bury ${id} 0`, `kick-job ${id}`, 'peek-ready', 'stats-tube nosuchtube']) {
      assert.equal(await w.line(`${c}\r\n`), 'NOT_FOUND', c);
    }
    assert.equal(await w.line('frobnicate\r\n'), 'UNKNOWN_COMMAND');
    for (const c of ['put 0 0 10', 'put a 0 10 1', 'use -starts-with-hyphen', 'use bad name', `use ${'x'.repeat(201)}`, 'delete', 'reserve-with-timeout -1', 'kick 1 2']) {
      assert.equal(await w.line(`${c}\r\n`), 'BAD_FORMAT', c);
    }
    // A body that does not end with CRLF, and one over max-job-size (read and dropped): the connection goes on.
    assert.equal(await w.line('put 0 0 10 3\r\nabcde'), 'EXPECTED_CRLF');
    assert.equal(await w.line(Buffer.concat([Buffer.from('put 0 0 10 2000\r\n'), Buffer.alloc(2000, 0x61), Buffer.from('\r\n')])), 'JOB_TOO_BIG');
    assert.equal(await w.line('list-tube-used\r\n'), 'USING wire');
    assert.equal((await s.api.status('?queue=wire')).counts.ready, 0, 'no refused put stored anything');
    w.send('quit\r\n');
    await w.gone();
  });

  it('DEADLINE_SOON: a reserve in the last second of a job\'s time says so', async () => {
    assert.equal((await s.api.call('PATCH', '/queue', { queue: 'short', leaseSeconds: 2 })).status, 201);
    const w = await Wire.open(port);
    await w.line('use short\r\n');
    await w.line('put 0 0 2 1\r\nx\r\n');
    await w.line('watch short\r\n');
    assert.match((await w.send('reserve-with-timeout 5\r\n').reply()).line, /^RESERVED \d+ 1$/);
    // Waits at most until one second before the lease ends.
    assert.equal(await w.line('reserve-with-timeout 10\r\n'), 'DEADLINE_SOON');
    w.end();
  });

  it('garbage, a line too long and a client gone mid-body hurt no one else', async () => {
    const good = await Wire.open(port);
    const garbage = await Wire.open(port);
    assert.equal(await garbage.line(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x0d, 0x0a])), 'UNKNOWN_COMMAND');
    const long = await Wire.open(port);
    assert.equal(await long.line('x'.repeat(300)), 'BAD_FORMAT');
    await long.gone();
    const halfway = await Wire.open(port);
    await halfway.line('use halfway\r\n');
    halfway.send('put 0 0 10 100\r\nonly part of the body');
    halfway.end();
    assert.equal(await good.line('use halfway\r\n'), 'USING halfway');
    assert.match(await good.line('put 0 0 10 2\r\nok\r\n'), /^INSERTED \d+$/);
    assert.equal((await s.api.status('?queue=halfway')).counts.ready, 1, 'only the whole put was stored');
    garbage.end();
    good.end();
  });

  it('thousands of idle connections cost the others nothing, and none of them is a worker', async () => {
    const w = await Wire.open(port);
    const connections = async () => Number(/^current-connections: (\d+)$/m.exec((await w.send('stats\r\n').reply()).data!.toString())?.[1]);
    // In waves the listen backlog holds: a burst past it is accepted only as the kernel retries.
    const idle: Wire[] = [];
    for (let wave = 0; wave < 8; wave++) {
      idle.push(...await Promise.all(Array.from({ length: 250 }, () => Wire.open(port))));
      await until('the listener to accept the wave', async () => (await connections()) >= idle.length + 1);
    }
    assert.equal(await w.line('use busy\r\n'), 'USING busy');
    assert.match(await w.line('put 0 0 10 2\r\nhi\r\n'), /^INSERTED \d+$/);
    assert.match((await w.send('reserve-with-timeout 0\r\n').reply()).line, /^TIMED_OUT$/, 'watching only default');
    assert.equal(((await s.api.status('?workers=1')).workers as unknown[]).length, 1, 'only the connection that reserved is a worker');
    for (const c of idle) c.end();
    w.end();
    await until('the idle connections to be gone', async () => (await s.api.status('?workers=1')).workers.length === 0);
  });

  it('a stop answers DRAINING to a put, then closes, and the reserved jobs go back', async () => {
    const own = await startTestServer({ SWITCHYARD_BEANSTALK_PORT: '0' });
    const w = await Wire.open(own.beanstalkPort!);
    await w.line('use drain\r\n');
    await w.line('put 0 0 60 1\r\na\r\n');
    await w.line('watch drain\r\n');
    assert.match((await w.send('reserve-with-timeout 5\r\n').reply()).line, /^RESERVED/);
    // Half a put in the same write as a command: once that command is answered, the half is there.
    const writer = await Wire.open(own.beanstalkPort!);
    assert.equal(await writer.line('use drain\r\nput 0 0 60 5\r\nhel'), 'USING drain');
    const stopped = own.close();
    assert.equal(await writer.line('lo\r\n'), 'DRAINING');
    await stopped;
    await Promise.all([w.gone(), writer.gone()]);
    const again = await startTestServer({}, { dbFile: own.dbFile });
    try {
      const q = await again.api.status('?queue=drain');
      assert.deepEqual([q.counts.ready, q.counts.started], [1, 0], 'the reserved job went back; the drained put stored nothing');
    } finally {
      await again.stop();
    }
  });

  it('listens off loopback only when told to on purpose: the protocol has no tokens', async () => {
    await assert.rejects(startTestServer({ SWITCHYARD_BEANSTALK_PORT: '0', SWITCHYARD_BEANSTALK_HOST: '0.0.0.0' }), /SWITCHYARD_BEANSTALK_HOST=0\.0\.0\.0 is not a loopback address.*SWITCHYARD_BEANSTALK_OPEN=on/);
    const open = await startTestServer({ SWITCHYARD_BEANSTALK_PORT: '0', SWITCHYARD_BEANSTALK_HOST: '0.0.0.0', SWITCHYARD_BEANSTALK_OPEN: 'on' });
    try {
      const w = await Wire.open(open.beanstalkPort!);
      assert.equal(await w.line('list-tube-used\r\n'), 'USING default');
      w.end();
    } finally {
      await open.stop();
    }
  });
});
