// Export and import: a broker's whole state moved with `switchyard export` and `switchyard import`
// from a SQLite broker into the store under test (Couchbase in a Couchbase run), 100,000 tasks,
// compared line by line; a batch that cannot be applied whole changes nothing; tokens move as
// hashes and keep working; /export is for admins only.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { client } from '../helpers/http.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'switchyard.mjs');
const PUSH_OK = { SWITCHYARD_PUSH_ALLOW: '127.0.0.1' };
const BULK = 100_000;

// Not execFileSync: the brokers answering it run in this process.
const run = (args: string[], env: Record<string, string> = {}) => new Promise<{ code: number; out: string; err: string }>((resolve) => {
  execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, maxBuffer: 10_000_000 }, (e, out, err) => {
    resolve({ code: e ? (e as { code?: number }).code ?? 1 : 0, out, err });
  });
});

type Line = Record<string, any>;
const linesOf = (text: string): Line[] => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Line);
const ndjson = (lines: unknown[]) => ({ raw: `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`, contentType: 'application/x-ndjson' });

describe('export and import', () => {
  let from: TestServer;
  let to: TestServer;
  before(async () => {
    from = await startTestServer(PUSH_OK, { sqlite: true });
    to = await startTestServer(PUSH_OK);
  });
  after(async () => { await from.stop(); await to.stop(); });

  it(`moves ${BULK.toLocaleString('en')} tasks from SQLite into the store under test, and both sides agree`, async () => {
    const a = from.api;
    // Queues with interests and policies, one that signs its pushes with its own secret, a schedule.
    await a.interest('mail', { type: '^signup$' });
    assert.equal((await a.call('PATCH', '/queue', { queue: 'mail', maxAttempts: 1, concurrency: 5 })).status, 200);
    await a.interest('fan', { type: '^fan$' });
    assert.equal((await a.call('PATCH', '/queue', { queue: 'bulk', rateLimit: 5000 })).status, 201);
    assert.equal((await a.call('PATCH', '/queue', { queue: 'hook', pushUrl: 'http://127.0.0.1:9/hook', pushSecret: 'do-not-export-me' })).status, 201);
    assert.equal((await a.call('PUT', '/schedule', { name: 'nightly', cron: '0 3 * * *', paused: true, event: { publisher: 'cron', data: { type: 'nightly' } } })).status, 201);
    // Every state an export carries: ready and scheduled (bulk), started and failed (mail), and a
    // copy made for one worker (fan, scope all).
    for (let i = 0; i < BULK; i += 1000) {
      const events = Array.from({ length: 1000 }, (_, n) => ({ publisher: 'bulk', queue: 'bulk', data: { n: i + n }, ...((i + n) % 10 === 0 ? { delay: 3600 } : {}) }));
      assert.equal((await a.call('PUT', '/tasks', { events })).status, 201);
    }
    for (let n = 0; n < 10; n++) await a.publish({ type: 'signup', n }, { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    const m = await a.worker(['mail'], 'mailer');
    const claimed = (await a.call('GET', `/task?workerId=${m}&count=6`)).body.tasks as { taskId: string }[];
    assert.equal(claimed.length, 5, 'the concurrency of 5 holds');
    for (const t of claimed.slice(0, 3)) assert.equal((await a.report(m, t.taskId, 'fail', { failReason: 'smtp down' })).status, 200);
    const f = await a.worker(['fan'], 'fanner');
    const fanned = await a.publish({ type: 'fan' }, { scope: 'all' });
    assert.equal((await a.call('GET', `/status?task=${fanned.tasks[0].taskId}`)).body.task.targetWorkerId, f);

    const dir = tempDir();
    const dump = path.join(dir, 'dump.jsonl');
    const out = await run(['export', '--url', from.url, '--file', dump]);
    assert.equal(out.code, 0, out.err);
    assert.match(out.err, new RegExp(`exported 4 queues, 1 schedules, ${BULK + 11} tasks, 0 tokens`));
    const text = readFileSync(dump, 'utf8');
    assert.ok(!text.includes('do-not-export-me'), 'a push secret never leaves');
    const imported = await run(['import', dump, '--url', to.url]);
    assert.equal(imported.code, 0, imported.err);
    assert.match(imported.out, new RegExp(`imported 4 queues, 1 schedules, ${BULK + 11} tasks, 0 tokens`));
    assert.match(imported.err, /queue hook signed its pushes with its own secret.*it is paused/);

    // Every line the two brokers export is the same, but for what the move decides: workers do not
    // move, so the copy made for one becomes a copy for any worker; the queue without its secret waits.
    const there = (await to.api.call('GET', '/export')).text;
    const [before, after] = [linesOf(text), linesOf(there)];
    const expected = before.map((l) => {
      if (l.kind === 'task' && l.targetWorkerId === f) return { ...l, targetWorkerId: null };
      if (l.kind === 'queue' && l.name === 'hook') return { ...l, policy: { ...l.policy, paused: true }, hasPushSecret: false };
      return l;
    });
    const strip = (l: Line) => (l.kind === 'header' ? { ...l, exportedAtMs: 0, store: '', interestsRevision: 0 } : l);
    assert.equal(after.length, expected.length);
    // The first line that differs, alone (a failure printing 100,000 lines says nothing).
    const differs = after.findIndex((l, i) => !isDeepStrictEqual(strip(l), strip(expected[i]!)));
    if (differs >= 0) assert.deepEqual(strip(after[differs]!), strip(expected[differs]!), `line ${differs + 1} of the export`);

    // What the page and status show agrees too.
    const counts = async (api: typeof a) => Object.fromEntries(((await api.call('GET', '/status?queues=1&limit=100')).body.queues as { name: string; counts: unknown }[]).map((q) => [q.name, q.counts]));
    assert.deepEqual(await counts(to.api), await counts(a));
    const failed = async (api: typeof a) => (await api.call('GET', '/failed?limit=10')).body;
    assert.deepEqual(await failed(to.api), await failed(a));
    assert.equal((await to.api.call('GET', '/status?queue=bulk')).body.length, BULK);

    // The moved broker works: its ready tasks are handed out.
    const w = await to.api.worker(['mail'], 'new-mailer');
    const next = await to.api.take(w);
    assert.equal(next.data.type, 'signup');
    assert.equal(next.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
  });

  it('refuses a batch it cannot apply whole, naming the line, and changes nothing', async () => {
    const s = await startTestServer();
    try {
      await s.api.interest('mail', { type: '^signup$' });
      const t = (await s.api.publish({ type: 'signup' })).tasks[0];
      const task = (await s.api.call('GET', `/status?task=${t.taskId}`)).body.task;
      const exported = linesOf((await s.api.call('GET', '/export')).text);
      const line = exported.find((l) => l.kind === 'task')!;
      const policy = exported.find((l) => l.kind === 'queue')!;
      const state = async () => [(await s.api.call('GET', '/status?queue=mail')).body, (await s.api.call('GET', '/export')).text.replace(/"exportedAtMs":\d+/, '')];
      const was = await state();
      const changedQueue = { ...policy, policy: { ...policy.policy, maxAttempts: 9 } };

      const again = await s.api.call('POST', '/import', undefined, ndjson([changedQueue, line]));
      assert.equal(again.status, 409);
      assert.equal(again.body.code, 'task_exists');
      assert.match(again.body.error, new RegExp(task.taskId));
      const bad = await s.api.call('POST', '/import', undefined, ndjson([changedQueue, { ...line, taskId: 'fresh-1', state: 'succeeded' }]));
      assert.equal(bad.status, 400);
      assert.match(bad.body.error, /^line 2: body field state must be one of "scheduled", "ready", "started", "failed"/);
      const started = await s.api.call('POST', '/import', undefined, ndjson([{ ...line, taskId: 'fresh-2', state: 'started', workerId: null }]));
      assert.equal(started.status, 400, 'a started task needs its worker and lease');
      const notJson = await s.api.call('POST', '/import', undefined, { raw: `${JSON.stringify(changedQueue)}\n{"kind":`, contentType: 'application/x-ndjson' });
      assert.deepEqual([notJson.status, notJson.body.error], [400, 'line 2 is not valid JSON']);
      const tooMany = await s.api.call('POST', '/import', undefined, ndjson(Array.from({ length: 1001 }, (_, n) => ({ ...line, taskId: `many-${n}` }))));
      assert.equal(tooMany.status, 400);
      assert.match(tooMany.body.error, /1001 tasks in one request; at most 1000/);
      const asJson = await s.api.call('POST', '/import', [changedQueue]);
      assert.equal(asJson.status, 415);
      assert.deepEqual(await state(), was, 'nothing changed');

      // existing=skip leaves out what is here and applies the rest.
      const skip = await s.api.call('POST', '/import?existing=skip', undefined, ndjson([changedQueue, line, { ...line, taskId: 'fresh-3' }]));
      assert.equal(skip.status, 200, skip.text);
      assert.deepEqual([skip.body.tasks, skip.body.skipped], [1, 1]);
      assert.equal((await s.api.call('GET', '/status?queue=mail')).body.policy.maxAttempts, 9);
      assert.equal((await s.api.call('GET', '/status?queue=mail')).body.counts.ready, 2);
    } finally {
      await s.stop();
    }
  });

  it('moves tokens as hashes: the same secrets work on the new broker, and only an admin may export', async () => {
    const src = await startTestServer({}, { sqlite: true });
    const dst = await startTestServer();
    try {
      const admin = (await src.api.call('PUT', '/token', { name: 'ops', role: 'admin' })).body.token as string;
      const a = client(src.url, admin);
      const publisher = (await a.call('PUT', '/token', { name: 'shop', role: 'publish' })).body.token as string;
      assert.equal((await src.api.call('GET', '/export')).status, 401);
      assert.equal((await client(src.url, publisher).call('GET', '/export')).status, 403);
      const dumped = await a.call('GET', '/export');
      assert.equal(dumped.status, 200);
      assert.match(dumped.headers.get('content-type') ?? '', /^application\/x-ndjson/);
      assert.ok(!dumped.text.includes(admin) && !dumped.text.includes(publisher), 'no secret in an export');
      assert.deepEqual(linesOf(dumped.text).filter((l) => l.kind === 'token').map((l) => [l.name, l.role, /^[0-9a-f]{64}$/.test(l.hash)]), [['ops', 'admin', true], ['shop', 'publish', true]]);
      assert.equal(linesOf(dumped.text).at(-1)!.kind, 'end', 'tokens come last, then the end line');

      assert.equal((await dst.api.call('GET', '/status')).status, 200, 'open before the import');
      const r = await run(['import', path.join(tempDir(), 'none.jsonl'), '--url', dst.url]);
      assert.equal(r.code, 1, 'a file that is not there is a plain error');
      const imported = await dst.api.call('POST', '/import', undefined, { raw: dumped.text, contentType: 'application/x-ndjson' });
      assert.equal(imported.status, 200, imported.text);
      assert.equal(imported.body.tokens, 2);
      assert.equal((await dst.api.call('GET', '/status')).status, 401, 'the imported tokens close the broker');
      assert.equal((await client(dst.url, admin).call('GET', '/status')).status, 200, 'and the old secrets open it');
      assert.equal((await client(dst.url, publisher).call('PUT', '/task', { publisher: 'shop', data: {} })).status, 200);
      const audit = (await client(dst.url, admin).call('GET', '/audit')).body.entries as { what: string }[];
      assert.ok(audit.some((e) => e.what === 'POST /import'), 'an import is an audited change');
    } finally {
      await src.stop();
      await dst.stop();
    }
  });
});
