// W3C Trace Context end to end: a publish's traceparent header (or an event's own field) is kept with
// each task it makes and handed on: in the task a worker takes, in status, through a retry and a
// reEnqueue copy, in a push delivery's headers, and in the SDK's handler.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker, type Task } from 'switchyard/client';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/until.js';

const TRACE = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const OTHER = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('trace context', () => {
  let s: TestServer | undefined;
  let worker: Worker | undefined;
  afterEach(async () => { await worker?.stop({ timeoutMs: 1000 }); await s?.stop(); s = undefined; worker = undefined; });

  it('a publish\'s traceparent reaches the worker, status, a retry and a reEnqueue copy', async () => {
    s = await startTestServer();
    await s.api.interest('a', '*');
    await s.api.interest('b', '*');
    await s.api.call('PATCH', '/queue', { queue: 'a', backoffSeconds: 0 });
    const p = await s.api.call('PUT', '/task', { publisher: 'p', data: { n: 1 } }, { headers: { traceparent: TRACE.toUpperCase() } });
    assert.equal(p.status, 201);
    const w = await s.api.worker(['a']);
    const t = await s.api.take(w);
    assert.equal(t.traceparent, TRACE, 'kept, lowercased, on every copy');
    assert.equal((await s.api.status(`?task=${p.body.tasks.find((x: { queue: string }) => x.queue === 'b').taskId}`)).task.traceparent, TRACE);
    await s.api.report(w, t.taskId, 'fail', { failReason: 'again' });
    const retried = await until('the retry', () => s!.api.take(w));
    assert.equal(retried.traceparent, TRACE, 'a retry is the same task');
    const done = await s.api.report(w, retried.taskId, 'success', { reEnqueue: true });
    assert.equal((await s.api.status(`?task=${done.body.reEnqueuedTaskId}`)).task.traceparent, TRACE, 'a reEnqueue copy keeps it');

    // Without a header, or with one that does not parse (ignored, as the spec says), tasks carry none.
    const headerSets: Record<string, string>[] = [{}, { traceparent: 'not-a-trace' }, { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' }];
    for (const headers of headerSets) {
      const q: { status: number; body: any } = await s.api.call('PUT', '/task', { publisher: 'p', data: {} }, { headers });
      assert.equal(q.status, 201);
      assert.equal('traceparent' in (await s.api.status(`?task=${q.body.tasks[0].taskId}`)).task, false, JSON.stringify(headers));
    }
  });

  it('in a batch the header is every event\'s, unless an event brings its own; a bad own one is refused', async () => {
    s = await startTestServer();
    await s.api.interest('a', '*');
    const r = await s.api.call('PUT', '/tasks', { events: [{ publisher: 'p', data: { n: 1 } }, { publisher: 'p', data: { n: 2 }, traceparent: OTHER }] }, { headers: { traceparent: TRACE } });
    const traces = await Promise.all(r.body.events.map(async (e: { tasks: { taskId: string }[] }) => (await s!.api.status(`?task=${e.tasks[0]!.taskId}`)).task.traceparent));
    assert.deepEqual(traces, [TRACE, OTHER]);
    const ready = (await s.api.status('?queue=a')).counts.ready;
    const bad = await s.api.call('PUT', '/tasks', { events: [{ publisher: 'p', data: {} }, { publisher: 'p', data: {}, traceparent: 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }] });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /traceparent/);
    assert.equal((await s.api.status('?queue=a')).counts.ready, ready, 'nothing stored');
  });

  it('a push delivery carries it as its traceparent header; the SDK handler sees it on the task', async () => {
    const got: http.IncomingHttpHeaders[] = [];
    const rx = http.createServer((req, res) => { got.push(req.headers); req.resume(); req.on('end', () => res.end('{}')); });
    await new Promise<void>((r) => rx.listen(0, '127.0.0.1', () => r()));
    try {
      s = await startTestServer({ SWITCHYARD_PUSH_ALLOW: '127.0.0.1' });
      await s.api.interest('hooks', { to: '^hooks$' });
      await s.api.call('PATCH', '/queue', { queue: 'hooks', pushUrl: `http://127.0.0.1:${(rx.address() as AddressInfo).port}/` });
      await s.api.call('PUT', '/task', { publisher: 'p', data: { to: 'hooks' } }, { headers: { traceparent: TRACE } });
      await until('delivered', () => got.length === 1);
      assert.equal(got[0]!.traceparent, TRACE);
    } finally {
      rx.closeAllConnections();
      await new Promise((r) => rx.close(r));
    }
    await s.api.interest('jobs', { to: '^jobs$' });
    await s.api.call('PUT', '/task', { publisher: 'p', data: { to: 'jobs' } }, { headers: { traceparent: OTHER } });
    const seen: (string | undefined)[] = [];
    worker = new Worker({ url: s.url, queues: ['jobs'], waitSeconds: 1, handler: (task: Task) => { seen.push(task.traceparent); } });
    await worker.start();
    await until('handled', () => seen.length === 1);
    assert.deepEqual(seen, [OTHER]);
  });
});
