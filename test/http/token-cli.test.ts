// `switchyard token create|list|delete` against a real broker, as the README shows it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { client } from '../helpers/http.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'switchyard.mjs');
const ADMIN = 'cli-admin-token-0123456789';

describe('the token command', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer({ SWITCHYARD_ADMIN_TOKEN: ADMIN }); });
  after(() => s.stop());

  // Not execFileSync: the broker answering it runs in this process.
  const run = (args: string[], env: Record<string, string> = {}) => new Promise<{ code: number; out: string; err: string }>((resolve) => {
    execFile(process.execPath, [BIN, 'token', ...args], { env: { ...process.env, SWITCHYARD_URL: s.url, SWITCHYARD_ADMIN_TOKEN: ADMIN, ...env } }, (e, out, err) => {
      resolve({ code: e ? (e as { code?: number }).code ?? 1 : 0, out, err });
    });
  });

  it('creates a queue-limited work token, lists it without its secret, deletes it', async () => {
    const made = await run(['create', '--role', 'work', '--queues', 'email']);
    assert.equal(made.code, 0, made.err);
    const t = JSON.parse(made.out);
    assert.match(t.name, /^work-[0-9a-f]{6}$/);
    assert.deepEqual([t.role, t.queues], ['work', ['email']]);
    assert.equal((await client(s.url, t.token).call('PUT', '/worker', { queues: ['email'] })).status, 201);
    const list = await run(['list']);
    assert.ok(list.out.includes(t.name) && !list.out.includes(t.token));
    assert.deepEqual(JSON.parse((await run(['delete', '--name', t.name])).out), { deleted: 1 });
    assert.equal((await client(s.url, t.token).call('PUT', '/worker', { queues: ['email'] })).status, 401);
  });

  it('says what is wrong: a missing role, an unknown action, a refused token', async () => {
    const noRole = await run(['create']);
    assert.deepEqual([noRole.code, /--role is required/.test(noRole.err)], [2, true]);
    assert.equal((await run(['rename'])).code, 2);
    const refused = await run(['list'], { SWITCHYARD_ADMIN_TOKEN: 'sy_not-a-real-token' });
    assert.deepEqual([refused.code, refused.err.trim()], [1, 'switchyard: 401 unknown or revoked token']);
  });
});
