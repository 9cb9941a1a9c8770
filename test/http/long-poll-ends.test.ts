// A long poll ends when its client hangs up (it must not take a task for nobody), and a worker's
// second long poll ends its first with {task: null}; the process survives a stray rejection and
// keeps its database file to its owner.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { until } from '../helpers/until.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { spawnBroker } from '../helpers/process.js';
import { clientGone } from '../../routes/task.js';

const waitingPolls = async (url: string) => Number(/^switchyard_long_polls_waiting (\d+)$/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1]);

describe('long polls that end early', () => {
  let s: TestServer | undefined;
  afterEach(async () => { await s?.stop(); s = undefined; });

  it('a client that hung up takes no task: the next publish goes to a worker still asking', async () => {
    s = await startTestServer();
    await s.api.interest('q', '*');
    const gone = await s.api.worker(['q'], 'gone');
    const ac = new AbortController();
    const hungUp = fetch(`${s.url}/task?workerId=${gone}&wait=20`, { signal: ac.signal }).catch((e: Error) => e.name);
    await until('the poll waiting', async () => (await waitingPolls(s!.url)) === 1);
    ac.abort();
    assert.equal(await hungUp, 'AbortError');
    await until('the poll given up', async () => (await waitingPolls(s!.url)) === 0);
    const taskId = (await s.api.publish({ n: 1 })).tasks[0].taskId;
    const other = await s.api.worker(['q'], 'other');
    assert.equal((await s.api.take(other))?.taskId, taskId, 'the task was still ready');
  });

  it('a second long poll of the same worker ends the first with no task', async () => {
    s = await startTestServer();
    await s.api.interest('q', '*');
    const w = await s.api.worker(['q']);
    const first = s.api.call('GET', `/task?workerId=${w}&wait=20`);
    await until('the first poll waiting', async () => (await waitingPolls(s!.url)) === 1);
    const second = s.api.call('GET', `/task?workerId=${w}&wait=20`);
    const a = await first;
    assert.deepEqual([a.status, a.body], [200, { task: null }]);
    await until('the second poll waiting', async () => (await waitingPolls(s!.url)) === 1);
    const taskId = (await s.api.publish({ n: 1 })).tasks[0].taskId;
    assert.equal((await second).body.task.taskId, taskId);
  });
});

// A claim asks for its hang-up signal only when it is about to wait: the signal must abort whether
// the client hangs up after that or had hung up already.
describe('the hang-up signal of a claim (clientGone)', () => {
  /** A server whose one request's handler is given; the request's client hangs up at `hangUp()`. */
  async function withRequest(handler: (res: http.ServerResponse, hangUp: () => Promise<void>) => Promise<void>): Promise<void> {
    let client: net.Socket | undefined;
    let done!: Promise<void>;
    const server = http.createServer((_req, res) => {
      const serverSide = res.socket!;
      const hangUp = () => new Promise<void>((resolve) => { serverSide.once('close', () => resolve()); client!.destroy(); });
      done = handler(res, hangUp);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      await new Promise<void>((resolve) => { client = net.connect(port, '127.0.0.1', () => client!.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n', () => resolve())); });
      await until('the request handled', () => done !== undefined);
      await done;
    } finally {
      client?.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  it('aborts when the client hangs up while the claim waits', () => withRequest(async (res, hangUp) => {
    const signal = clientGone(res)();
    assert.equal(signal.aborted, false);
    await hangUp();
    await until('aborted', () => signal.aborted);
  }));

  it('is aborted from the start when the client hung up before the claim began to wait', () => withRequest(async (res, hangUp) => {
    await hangUp();
    assert.equal(clientGone(res)().aborted, true);
  }));

  it('does not abort when the answer was sent', () => withRequest(async (res, hangUp) => {
    const signal = clientGone(res)();
    res.end('{}');
    await hangUp();
    assert.equal(signal.aborted, false);
  }));
});

describe('the process', () => {
  it('logs a stray unhandled rejection and keeps serving', async () => {
    // A rejection nobody awaits, 5 s after start (the broker is up by then), from a module loaded first.
    const b = await spawnBroker(path.join(tempDir(), 'reject.db'), {
      NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent("setTimeout(() => Promise.reject(new Error('stray')), 5000)")}`,
    });
    try {
      const logged = () => /unhandled rejection/.test(b.stderr()) && /Error: stray/.test(b.stderr());
      await until('the rejection logged', logged, 20_000).catch((e: Error) => { throw new Error(`${e.message}: ${b.stderr().slice(-600)}`); });
      assert.equal((await fetch(`${b.url}/healthz`)).status, 200);
    } finally {
      b.proc.kill('SIGTERM');
      await b.exited;
    }
  });

  it('creates its SQLite file and folder for its owner only', async (t) => {
    if (process.env.COUCHBASE_CONNSTR) { t.skip('skipped: the Couchbase run has no SQLite file'); return; }
    const dir = path.join(tempDir(), 'fresh');
    const s = await startTestServer({}, { dbFile: path.join(dir, 'sy.db') });
    try {
      assert.equal(statSync(path.join(dir, 'sy.db')).mode & 0o777, 0o600);
      assert.equal(statSync(dir).mode & 0o777, 0o700);
    } finally {
      await s.stop();
    }
  });
});
