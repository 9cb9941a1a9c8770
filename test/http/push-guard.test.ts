// Push without SSRF: internal targets refused when set and again at delivery, the allowlist, no
// redirects followed, and a receiver's answer read no further than 64 KiB.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { until } from '../helpers/until.js';
import path from 'node:path';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';

describe('push targets', () => {
  let sent = 0;
  let redirectedTo = 0;
  const rx = http.createServer((req, res) => {
    if (req.url === '/huge') {
      // Writes until the broker hangs up (or 20 MB): how much was sent shows how much it read.
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const more = () => {
        while (sent < 20 * 2 ** 20 && !res.destroyed) { sent += chunk.length; if (!res.write(chunk)) { res.once('drain', more); return; } }
        res.end();
      };
      more();
    } else if (req.url === '/redirect') {
      res.writeHead(307, { location: '/landing' }).end();
    } else {
      if (req.url === '/landing') redirectedTo++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    }
  });
  const rxUrl = () => `http://127.0.0.1:${(rx.address() as AddressInfo).port}`;
  let s: TestServer | undefined;
  before(() => new Promise<void>((r) => rx.listen(0, '127.0.0.1', () => r())));
  after(() => new Promise<void>((r) => { rx.closeAllConnections(); rx.close(() => r()); }));
  afterEach(async () => { await s?.stop(); s = undefined; });

  it('a pushUrl on loopback, private or link-local addresses, or a name resolving to one, is refused', async () => {
    s = await startTestServer();
    const api = s.api;
    for (const url of ['http://127.0.0.1:9/x', 'http://localhost:9/x', 'http://10.1.2.3/x', 'http://172.16.0.1/x', 'http://192.168.1.1/x',
      'http://169.254.169.254/latest/meta-data', 'http://[::1]:9/x', 'http://[fd00::1]/x', 'http://[fe80::1]/x', 'http://[::ffff:127.0.0.1]/x', 'http://0.0.0.0:9/x']) {
      const refused = await api.call('PATCH', '/queue', { queue: 'q', pushUrl: url });
      assert.deepEqual([url, refused.status, refused.body.code], [url, 400, 'push_url_forbidden']);
    }
    assert.equal((await s.api.status('?queue=q').catch(() => ({ policy: { pushUrl: null } }))).policy?.pushUrl ?? null, null, 'nothing stored');
    assert.equal((await s.api.call('PATCH', '/queue', { queue: 'q', pushUrl: 'http://93.184.215.14/hook' })).status, 201, 'a public address is fine');
  });

  it('SWITCHYARD_PUSH_ALLOW lets named hosts and CIDRs through', async () => {
    s = await startTestServer({ SWITCHYARD_PUSH_ALLOW: 'localhost, 10.0.0.0/8' });
    for (const url of ['http://localhost:9/x', 'http://10.9.9.9/x']) assert.equal((await s.api.call('PATCH', '/queue', { queue: 'q', pushUrl: url })).status < 300, true, url);
    assert.equal((await s.api.call('PATCH', '/queue', { queue: 'q', pushUrl: 'http://192.168.0.1/x' })).status, 400);
  });

  it('a delivery checks the address it connects to again: a URL allowed once is refused when the allowlist no longer holds it', async () => {
    const dbFile = path.join(tempDir(), 'guard.db');
    const allowed = await startTestServer({ SWITCHYARD_PUSH_ALLOW: '127.0.0.1' }, { dbFile });
    await allowed.api.interest('hook', '*');
    assert.equal((await allowed.api.call('PATCH', '/queue', { queue: 'hook', pushUrl: `${rxUrl()}/ok`, maxAttempts: 1, pushTimeoutSeconds: 2 })).status, 200);
    await allowed.stop();
    s = await startTestServer({}, { dbFile });
    const published = await s.api.publish({ any: 1 });
    assert.equal(published.tasks.length, 1, JSON.stringify(published));
    const taskId = published.tasks[0].taskId;
    const t = await until('refused', async () => { const x = (await s!.api.status(`?task=${taskId}`)).task; return x.state === 'failed' && x; });
    assert.match(t.failReason, /^push to http:\/\/127\.0\.0\.1:\d+ .*internal address not in SWITCHYARD_PUSH_ALLOW/);
  });

  it('redirects are not followed, and an answer is read no further than 64 KiB', async () => {
    s = await startTestServer({ SWITCHYARD_PUSH_ALLOW: '127.0.0.1' });
    await s.api.interest('r', { to: '^r$' });
    await s.api.interest('big', { to: '^big$' });
    await s.api.call('PATCH', '/queue', { queue: 'r', pushUrl: `${rxUrl()}/redirect`, maxAttempts: 1 });
    // pushTimeoutSeconds with a fraction of a millisecond once broke every push.
    await s.api.call('PATCH', '/queue', { queue: 'big', pushUrl: `${rxUrl()}/huge`, maxAttempts: 1, pushTimeoutSeconds: 1.0005 });
    const r = (await s.api.publish({ to: 'r' })).tasks[0].taskId;
    const big = (await s.api.publish({ to: 'big' })).tasks[0].taskId;
    const rt = await until('redirect answered', async () => { const x = (await s!.api.status(`?task=${r}`)).task; return x.state === 'failed' && x; });
    assert.match(rt.failReason, /answered HTTP 307/);
    assert.equal(redirectedTo, 0);
    const bt = await until('huge answer taken', async () => { const x = (await s!.api.status(`?task=${big}`)).task; return x.state === 'succeeded' && x; });
    assert.equal(bt.result, null, 'an answer over 64 KiB is not kept as the result');
    assert.ok(sent < 4 * 2 ** 20, `the broker hung up early (receiver sent ${sent} bytes)`);
  });
});
