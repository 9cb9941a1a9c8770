// Versioned interests over HTTP, on the store under test: every change kept with its revision, who
// made it (the token's name) and when; a rollback puts an earlier revision back as a new change;
// reading the history needs a read token, rolling back an admin one, and it is audited.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { client } from '../helpers/http.js';

describe('interest history and rollback', () => {
  let s: TestServer;
  let admin: ReturnType<typeof client>;
  before(async () => {
    s = await startTestServer();
    const token = (await s.api.call('PUT', '/token', { name: 'ops', role: 'admin' })).body.token as string;
    admin = client(s.url, token);
  });
  after(() => s.stop());

  it('keeps each change with who and when, newest first, and rolls back to any of them', async () => {
    const v1 = (await admin.call('PUT', '/interest', { queue: 'mail', interests: { type: '^userCreated$' } })).body.revision;
    const v2 = (await admin.call('PUT', '/interest', { queue: 'mail', interests: [{ type: '^userCreated$', country: { equals: 'FR' } }] })).body.revision;
    assert.equal((await admin.call('DELETE', '/interest?queue=mail')).status, 200);
    const h = (await admin.call('GET', '/interest/history?queue=mail')).body;
    assert.equal(h.total, 3);
    assert.deepEqual(h.changes.map((c: { interests: unknown; who: string }) => [c.interests, c.who]), [
      [null, 'ops'], [[{ type: '^userCreated$', country: { equals: 'FR' } }], 'ops'], [{ type: '^userCreated$' }, 'ops'],
    ]);
    assert.deepEqual([h.changes[1].revision, h.changes[2].revision], [v2, v1]);
    assert.ok(h.changes.every((c: { at: number }) => Math.abs(c.at - Date.now() / 1000) < 60));

    const back = await admin.call('POST', '/interest/rollback', { queue: 'mail', revision: v1 });
    assert.equal(back.status, 200);
    assert.deepEqual([back.body.interests, back.body.revision > v2], [{ type: '^userCreated$' }, true]);
    assert.deepEqual((await admin.call('GET', '/status?interests=1')).body.interests.mail, { type: '^userCreated$' });
    const latest = (await admin.call('GET', '/interest/history?queue=mail&limit=1')).body.changes[0];
    assert.deepEqual([latest.rollbackOf, latest.who, latest.revision], [v1, 'ops', back.body.revision]);
    // Back to the removal: the interests go again.
    const removedAt = h.changes[0].revision;
    assert.deepEqual((await admin.call('POST', '/interest/rollback', { queue: 'mail', revision: removedAt })).body, { queue: 'mail', interests: null });
    const audit = (await admin.call('GET', '/audit')).body.entries as { what: string; subject: string }[];
    assert.ok(audit.some((e) => e.what === 'POST /interest/rollback' && e.subject === 'mail'));
  });

  it('an unknown revision is a 404 that changes nothing; the history needs a read token, a rollback an admin one', async () => {
    await admin.call('PUT', '/interest', { queue: 'kept', interests: '*' });
    const missing = await admin.call('POST', '/interest/rollback', { queue: 'kept', revision: 999_999 });
    assert.deepEqual([missing.status, missing.body.code], [404, 'revision_not_found']);
    assert.equal((await admin.call('GET', '/interest/history?queue=kept')).body.total, 1);
    const reader = (await admin.call('PUT', '/token', { name: 'viewer', role: 'read' })).body.token as string;
    assert.equal((await s.api.call('GET', '/interest/history?queue=kept')).status, 401);
    assert.equal((await client(s.url, reader).call('GET', '/interest/history?queue=kept')).status, 200);
    assert.equal((await client(s.url, reader).call('POST', '/interest/rollback', { queue: 'kept', revision: 1 })).status, 403);
  });
});
