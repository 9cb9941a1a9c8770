// Safe to expose: tokens and roles (every route against every role), queue-limited tokens, revocation
// seen by another node at once, open mode only on loopback, cross-site and rebinding guards, headers.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { client, call } from '../helpers/http.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { spawnBroker } from '../helpers/process.js';

const ADMIN = 'admin-secret-0123456789';
const servers: TestServer[] = [];
const start = async (...args: Parameters<typeof startTestServer>) => { const s = await startTestServer(...args); servers.push(s); return s; };
afterEach(async () => { while (servers.length) await servers.pop()!.stop(); });

/** A failed task in queue `q`, made through the API. */
async function failedTask(api: ReturnType<typeof client>, q: string) {
  await api.interest(q, { to: `^${q}$` });
  await api.call('PATCH', '/queue', { queue: q, maxAttempts: 1 });
  await api.publish({ to: q });
  const w = await api.worker([q]);
  const t = await api.take(w);
  await api.report(w, t.taskId, 'fail', { failReason: 'x' });
  return t.taskId as string;
}

describe('open mode (no token, loopback)', () => {
  it('a cross-site form POST is refused and changes nothing; a same-origin one goes through', async () => {
    const s = await start();
    await failedTask(s.api, 'mail');
    const form = { all: 'true', toQueue: 'attacker' };
    const evil = await s.api.call('POST', '/failed/retry', form, { form: true, headers: { origin: 'http://evil.example' } });
    assert.deepEqual([evil.status, evil.body.code], [403, 'forbidden']);
    const marked = await s.api.call('POST', '/failed/retry', form, { form: true, headers: { 'sec-fetch-site': 'cross-site' } });
    assert.equal(marked.status, 403);
    const onFast = await s.api.call('PUT', '/task', { publisher: 'p', data: {} }, { headers: { origin: 'http://evil.example' } });
    assert.equal(onFast.status, 403, 'the fast path applies the same guard');
    assert.equal((await s.api.call('GET', '/failed')).body.total, 1, 'still failed, nothing moved');
    const own = await s.api.call('POST', '/failed/retry', form, { form: true, headers: { origin: s.url } });
    assert.deepEqual([own.status, own.body.retried], [200, 1]);
  });

  it('a Host that is not a loopback name (DNS rebinding) is refused; an allowed one is not', async () => {
    const s = await start({ SWITCHYARD_ALLOWED_HOSTS: 'broker.internal' });
    // fetch sets Host itself: node:http sends the one a rebinding page's browser would.
    const withHost = (method: string, p: string, host: string, body?: string) => new Promise<{ status: number; code?: string }>((resolve, reject) => {
      const req = http.request(`${s.url}${p}`, { method, headers: { host, ...(body ? { 'content-type': 'application/json' } : {}) } }, (res) => {
        let text = '';
        res.on('data', (c) => { text += c; });
        res.on('end', () => resolve({ status: res.statusCode!, code: text.startsWith('{') ? JSON.parse(text).code : undefined }));
      });
      req.on('error', reject);
      req.end(body);
    });
    assert.deepEqual(await withHost('GET', '/status', 'attacker.example'), { status: 403, code: 'forbidden' });
    assert.equal((await withHost('PUT', '/task', 'attacker.example:8080', JSON.stringify({ publisher: 'p', data: {} }))).status, 403);
    assert.equal((await withHost('GET', '/status', 'broker.internal:80')).status, 200);
    assert.equal((await withHost('GET', '/status', 'localhost:1234')).status, 200);
    assert.equal((await withHost('GET', '/healthz', 'attacker.example')).status, 200, 'healthz stays open');
  });

  it('every answer carries the security headers, on the page, express and the fast path', async () => {
    const s = await start();
    const page = await fetch(`${s.url}/`);
    assert.match(page.headers.get('content-security-policy') ?? '', /^default-src 'self'; script-src 'self'; style-src 'self';.*frame-ancestors 'none'$/);
    // The API's JSON loads nothing: the strictest policy there is.
    const api = [await fetch(`${s.url}/status`), await s.api.call('PUT', '/task', { publisher: 'p', data: {} }), await fetch(`${s.url}/nope`, { method: 'DELETE' })];
    for (const r of api) assert.equal(r.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'");
    for (const r of [page, ...api]) {
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
    }
  });

  it('a non-loopback HOST with no token refuses to start with one line; SWITCHYARD_AUTH=off or a token starts it', async () => {
    const db = path.join(tempDir(), 'net.db');
    await assert.rejects(spawnBroker(db, { HOST: '0.0.0.0' }), (e: Error) => {
      const lines = e.message.split('\n').filter((l) => l.includes('switchyard:'));
      assert.equal(lines.length, 1, e.message);
      assert.match(lines[0]!, /switchyard: HOST=0\.0\.0\.0 is not a loopback address and no token is configured: set SWITCHYARD_ADMIN_TOKEN/);
      return true;
    });
    for (const env of [{ SWITCHYARD_AUTH: 'off' }, { SWITCHYARD_ADMIN_TOKEN: ADMIN }] as Record<string, string>[]) {
      const b = await spawnBroker(db, { HOST: '0.0.0.0', ...env });
      b.proc.kill('SIGTERM');
      assert.equal(await b.exited, 0);
      if (env.SWITCHYARD_AUTH) assert.match(b.stderr(), /SWITCHYARD_AUTH=off: anyone who can reach this address may do anything/);
      assert.ok(!b.stderr().includes(ADMIN), 'the admin token is never logged');
    }
  });
});

describe('tokens and roles', () => {
  async function withTokens() {
    const s = await start({ SWITCHYARD_ADMIN_TOKEN: ADMIN });
    const admin = client(s.url, ADMIN);
    const made: Record<string, string> = {};
    for (const [name, role, queues] of [['pub', 'publish'], ['wrk', 'work'], ['rd', 'read'], ['adm', 'admin'], ['mailer', 'work', ['email']], ['mailreader', 'read', ['email']]] as [string, string, string[]?][]) {
      const r = await admin.call('PUT', '/token', { name, role, ...(queues ? { queues } : {}) });
      assert.equal(r.status, 201, r.text);
      assert.match(r.body.token, /^sy_/);
      made[name] = r.body.token;
    }
    return { s, admin, made };
  }

  it('no token or an unknown one is 401 with a Bearer challenge; healthz and the page stay open', async () => {
    const { s } = await withTokens();
    const none = await call(s.url, 'GET', '/status');
    assert.deepEqual([none.status, none.body.code, none.headers.get('www-authenticate')], [401, 'unauthorized', 'Bearer realm="switchyard"']);
    assert.equal((await client(s.url, 'sy_wrong').call('PUT', '/task', { publisher: 'p', data: {} })).status, 401);
    assert.equal((await call(s.url, 'GET', '/healthz')).status, 200);
    assert.equal((await fetch(`${s.url}/`)).status, 200);
  });

  it('each route answers each role as the roles table says', async () => {
    const { s, made } = await withTokens();
    await client(s.url, ADMIN).interest('email', '*');
    const wid = await client(s.url, made.wrk).worker(['email']);
    // [method, path, body, roles allowed besides admin]
    const table: [string, string, unknown, string[]][] = [
      ['PUT', '/task', { publisher: 'p', data: {} }, ['publish']],
      ['PUT', '/tasks', { events: [{ publisher: 'p', data: {} }] }, ['publish']],
      ['POST', '/interest/dry-run', { data: { a: 1 } }, ['publish']],
      ['PUT', '/worker', { queues: ['email'] }, ['work']],
      ['GET', `/task?workerId=${wid}`, undefined, ['work']],
      ['POST', '/task', { workerId: wid, taskId: 'nope', state: 'success' }, ['work']],
      ['POST', '/tasks', { workerId: wid, reports: [{ taskId: 'nope', state: 'success' }] }, ['work']],
      ['DELETE', '/worker?workerId=nope', undefined, ['work']],
      ['GET', '/status', undefined, ['read']],
      ['GET', '/failed', undefined, ['read']],
      ['GET', '/throughput', undefined, ['read']],
      ['GET', '/schedule', undefined, ['read']],
      ['GET', '/queue/tasks?queue=email&state=ready', undefined, ['read']],
      ['GET', '/metrics', undefined, ['read']],
      ['PUT', '/interest', { queue: 'x', interests: '*' }, []],
      ['DELETE', '/interest?queue=x', undefined, []],
      ['PATCH', '/queue', { queue: 'x', paused: true }, []],
      ['DELETE', '/queue/tasks?queue=x', undefined, []],
      ['DELETE', '/queue?queue=x', undefined, []],
      ['POST', '/failed/retry', { all: true }, []],
      ['DELETE', '/failed?all=true', undefined, []],
      ['DELETE', '/task?taskId=nope', undefined, []],
      ['PUT', '/schedule', { name: 'n', cron: '0 3 * * *', event: { publisher: 'p', data: {} } }, []],
      ['DELETE', '/schedule?name=n', undefined, []],
      ['GET', '/token', undefined, []],
      ['PUT', '/token', { name: 'later', role: 'read' }, []],
      ['DELETE', '/token?name=later', undefined, []],
    ];
    const wrong: string[] = [];
    for (const [method, p, body, allowed] of table) {
      for (const [role, name] of [['publish', 'pub'], ['work', 'wrk'], ['read', 'rd'], ['admin', 'adm']] as const) {
        const r = await client(s.url, made[name]).call(method, p, body);
        const may = role === 'admin' || allowed.includes(role);
        if (may ? r.status === 401 || r.status === 403 : r.status !== 403) wrong.push(`${role} ${method} ${p}: ${r.status} ${r.text.slice(0, 80)}`);
        if (!may && !/needs a|admin/.test(r.body?.error ?? '')) wrong.push(`${role} ${method} ${p}: the refusal names no role`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('a token limited to queues registers and reads only those', async () => {
    const { s, made } = await withTokens();
    const mailer = client(s.url, made.mailer);
    assert.equal((await mailer.call('PUT', '/worker', { queues: ['email'] })).status, 201);
    const points = await mailer.call('PUT', '/worker', { queues: 'email,points' });
    assert.deepEqual([points.status, points.body.code], [403, 'forbidden']);
    assert.match(points.body.error, /limited to the queues email; not points/);
    const reader = client(s.url, made.mailreader);
    assert.equal((await reader.call('GET', '/queue/tasks?queue=email&state=ready')).status, 200);
    assert.equal((await reader.call('GET', '/queue/tasks?queue=points&state=ready')).status, 403);
    assert.equal((await reader.call('GET', '/failed')).status, 403, 'the failed queue of every queue is not its to read');
    assert.equal((await reader.call('GET', '/failed?queue=email')).status, 200);
    assert.equal((await reader.call('GET', '/status?failedQueue')).status, 403, 'nor through /status');
    assert.equal((await reader.call('GET', '/status?failedQueue&queue=email')).status, 200);
    // Another worker's id does not lend its queues: not to claim (the fast path), report or remove.
    const pointsWorker = await client(s.url, ADMIN).worker(['points']);
    const own = await mailer.worker(['email']);
    for (const [method, p, body] of [['GET', `/task?workerId=${pointsWorker}`], ['POST', '/task', { workerId: pointsWorker, taskId: 'x', state: 'success' }],
      ['POST', '/tasks', { workerId: pointsWorker, reports: [{ taskId: 'x', state: 'success' }] }], ['DELETE', `/worker?workerId=${pointsWorker}`]] as [string, string, unknown?][]) {
      const r = await mailer.call(method, p, body);
      assert.deepEqual([method, p, r.status], [method, p, 403], r.text);
    }
    assert.equal((await mailer.call('GET', `/task?workerId=${own}`)).status, 200);
    const limitedPublish = await client(s.url, ADMIN).call('PUT', '/token', { name: 'p2', role: 'publish', queues: ['email'] });
    assert.equal(limitedPublish.status, 400);
  });

  it('GET /token never shows a secret; a revoked token is refused at once, on another node too', async () => {
    const { s, made } = await withTokens();
    const other = await start({}, { dbFile: s.dbFile });
    const list = await client(s.url, ADMIN).call('GET', '/token');
    assert.deepEqual(list.body.tokens.map((t: { name: string }) => t.name), ['adm', 'mailer', 'mailreader', 'pub', 'rd', 'wrk']);
    for (const secret of Object.values(made)) assert.ok(!list.text.includes(secret));
    assert.ok(!/hash|token"/.test(list.text.replace(/"tokens"/, '')), list.text.slice(0, 200));
    assert.equal((await client(other.url, made.rd).call('GET', '/status')).status, 200, 'the other node knows the token');
    assert.equal((await call(other.url, 'GET', '/status')).status, 401, 'tokens exist: the other node is not open');
    assert.deepEqual((await client(s.url, ADMIN).call('DELETE', '/token?name=rd')).body, { deleted: 1 });
    assert.equal((await client(other.url, made.rd).call('GET', '/status')).status, 401);
    assert.equal((await client(s.url, ADMIN).call('DELETE', '/token?name=rd')).status, 404);
    assert.equal((await client(s.url, ADMIN).call('PUT', '/token', { name: 'pub', role: 'read' })).status, 409);
  });

  it('the page learns from /whoami whether it needs a token and what the one it has may do', async () => {
    const { s, made } = await withTokens();
    assert.deepEqual((await call(s.url, 'GET', '/whoami')).body, { open: false, name: null, role: null, queues: null });
    assert.deepEqual((await client(s.url, made.mailreader).call('GET', '/whoami')).body, { open: false, name: 'mailreader', role: 'read', queues: ['email'] });
    const open = await start();
    assert.deepEqual((await call(open.url, 'GET', '/whoami')).body, { open: true, name: null, role: null, queues: null });
  });
});

describe('behind a reverse proxy that terminates TLS', () => {
  it('the page\'s writes through the proxy are same-origin (X-Forwarded-Proto from this machine); open mode refuses the proxy\'s name', async () => {
    const send = (url: string, headers: Record<string, string>) => new Promise<{ status: number; code?: string }>((resolve, reject) => {
      const req = http.request(`${url}/interest`, { method: 'PUT', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
        let text = '';
        res.on('data', (c) => { text += c; });
        res.on('end', () => resolve({ status: res.statusCode!, code: text.startsWith('{') ? JSON.parse(text).code : undefined }));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ queue: 'mail', interests: '*' }));
    });
    // What a proxy such as Caddy sends on for a page at https://broker.example: its Host, and the scheme it terminated.
    const viaProxy = { host: 'broker.example', origin: 'https://broker.example', 'x-forwarded-proto': 'https' };
    const s = await start({ SWITCHYARD_ADMIN_TOKEN: ADMIN });
    const auth = { authorization: `Bearer ${ADMIN}` };
    assert.equal((await send(s.url, { ...viaProxy, ...auth })).status, 201, 'the queue is created');
    const { 'x-forwarded-proto': _, ...noProto } = viaProxy;
    assert.deepEqual(await send(s.url, { ...noProto, ...auth }), { status: 403, code: 'forbidden' }, 'an https origin needs the proxy to say so');
    assert.equal((await send(s.url, { ...viaProxy, origin: 'https://evil.example', ...auth })).status, 403);
    const open = await start();
    assert.deepEqual(await send(open.url, viaProxy), { status: 403, code: 'forbidden' }, 'an open broker is never reached by the proxy\'s name');
  });
});

describe('TLS', () => {
  it('SWITCHYARD_TLS_CERT and SWITCHYARD_TLS_KEY serve HTTPS (a self-signed certificate made now)', async (t) => {
    if (spawnSync('openssl', ['version']).status !== 0) { t.skip('skipped: openssl is not installed (.ci/run installs it)'); return; }
    const dir = tempDir();
    const [cert, key] = [path.join(dir, 'cert.pem'), path.join(dir, 'key.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const s = await start({ SWITCHYARD_TLS_CERT: cert, SWITCHYARD_TLS_KEY: key });
    assert.match(s.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const get = (p: string) => new Promise<{ status: number; text: string }>((resolve, reject) => {
      https.get(`${s.url}${p}`, { ca: readFileSync(cert) }, (res) => {
        let text = '';
        res.on('data', (c) => { text += c; });
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      }).on('error', reject);
    });
    assert.deepEqual(await get('/healthz'), { status: 200, text: '{"ok":true,"store":"' + (process.env.COUCHBASE_CONNSTR ? 'couchbase' : 'sqlite') + '"}' });
    await assert.rejects(fetch(`${s.url.replace('https:', 'http:')}/healthz`), 'plain HTTP is not served');
    await assert.rejects(startTestServer({ SWITCHYARD_TLS_CERT: cert }), /SWITCHYARD_TLS_CERT and SWITCHYARD_TLS_KEY go together/);
  });
});
