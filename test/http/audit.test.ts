// The audit trail: a sequence of admin changes, each one entry (who, what, when, from where) in GET
// /audit and one JSON line in the log, never a payload or a secret; refused requests and work or
// publish calls leave no entry.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { client } from '../helpers/http.js';
import { spawnBroker } from '../helpers/process.js';
import { tempDir } from '../helpers/server.js';
import { until } from '../helpers/until.js';

const ADMIN = 'audit-admin-token-0123456789';

describe('audit trail', () => {
  it('records each admin change once, newest first, without payloads or secrets', async () => {
    const b = await spawnBroker(path.join(tempDir(), 'audit.db'), { SWITCHYARD_ADMIN_TOKEN: ADMIN });
    try {
      const admin = client(b.url, ADMIN);
      await admin.interest('mail', { type: '^signup$' });
      await admin.call('PATCH', '/queue', { queue: 'mail', paused: true, pushSecret: 'push-s3cret' });
      await admin.publish({ type: 'signup', card: 'payload-secret-4111' });
      await admin.call('DELETE', '/queue/tasks?queue=mail');
      const made = (await admin.call('PUT', '/token', { name: 'reader', role: 'read' })).body.token as string;
      assert.equal((await client(b.url, made).call('PATCH', '/queue', { queue: 'mail', paused: false })).status, 403);
      assert.equal((await admin.call('PATCH', '/queue', { queue: 'mail', maxAttempts: 0 })).status, 400);
      await admin.call('DELETE', '/token?name=reader');
      const want = ['DELETE /token reader', 'PUT /token reader', 'DELETE /queue/tasks mail', 'PATCH /queue mail', 'PUT /interest mail'];
      const answer = await until('five entries', async () => {
        const a = await admin.call('GET', '/audit');
        return a.body.total === want.length ? a : null;
      });
      assert.deepEqual(answer.body.entries.map((e: { what: string; subject: string }) => `${e.what} ${e.subject}`), want);
      const patch = answer.body.entries[3];
      assert.deepEqual([patch.who, patch.role, patch.status, patch.fields], ['admin (SWITCHYARD_ADMIN_TOKEN)', 'admin', 200, ['paused', 'pushSecret', 'queue']]);
      assert.match(patch.from, /127\.0\.0\.1/);
      assert.ok(Math.abs(patch.at - Date.now() / 1000) < 300);
      const lines = b.stderr().split('\n').filter((l) => l.includes('"message":"audit"'));
      assert.equal(lines.length, want.length, 'one log line a change');
      for (const text of [answer.text, b.stderr()]) {
        for (const secret of ['push-s3cret', 'payload-secret-4111', made, ADMIN]) assert.ok(!text.includes(secret), `no ${secret.slice(0, 6)}… in ${text === answer.text ? 'GET /audit' : 'the log'}`);
      }
      assert.equal((await client(b.url, made).call('GET', '/audit')).status, 401, 'the revoked token');
    } finally {
      b.proc.kill('SIGTERM');
      await b.exited;
    }
  });
});
