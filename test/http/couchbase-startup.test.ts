// Couchbase start-up failures: each stops the broker with its own one-line message and a non-zero
// exit. The unreachable-cluster case needs no cluster and always runs; the others need one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { freePort, spawnBroker } from '../helpers/process.js';
import { tempDir } from '../helpers/server.js';
import { couchbaseEnv, couchbaseTestSettings } from '../helpers/couchbase.js';

const db = () => path.join(tempDir(), 'unused.db');

describe('Couchbase start-up failures', () => {
  it('an unreachable cluster: one line naming the connection string and the cause, within seconds', async () => {
    const port = await freePort(); // nothing listens there
    const connStr = `couchbase://127.0.0.1:${port}`;
    const t0 = Date.now();
    await assert.rejects(
      spawnBroker(db(), { COUCHBASE_CONNSTR: connStr, COUCHBASE_USERNAME: 'u', COUCHBASE_PASSWORD: 'p', COUCHBASE_BUCKET: 'b' }),
      (e: Error) => {
        assert.match(e.message, /^broker exited \(1\)/);
        assert.match(e.message, new RegExp(`switchyard: cannot reach Couchbase at ${connStr}: no answer within 5 s`));
        return true;
      });
    assert.ok(Date.now() - t0 < 20_000, 'gave up in time');
  });

  const configured = couchbaseTestSettings();
  it('wrong credentials: says the user was refused', async (t) => {
    if (!configured) { t.skip('skipped: COUCHBASE_CONNSTR not set'); return; }
    await assert.rejects(spawnBroker(db(), { ...couchbaseEnv('startup'), COUCHBASE_PASSWORD: `${configured.password}-wrong` }),
      /refused user .*wrong username or password/);
  });

  it('a missing bucket: says which bucket', async (t) => {
    if (!configured) { t.skip('skipped: COUCHBASE_CONNSTR not set'); return; }
    await assert.rejects(spawnBroker(db(), { ...couchbaseEnv('startup'), COUCHBASE_BUCKET: 'no-such-bucket' }),
      /has no bucket "no-such-bucket"/);
  });
});
