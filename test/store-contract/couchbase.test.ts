// The Store contract against Couchbase: runs when COUCHBASE_CONNSTR (and credentials) are set, each
// test under a fresh key prefix in the same bucket, so tests never see each other's documents.
import { systemClock } from '../../src/clock.js';
import { after, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import { connect, DocumentNotFoundError, type Cluster } from 'couchbase';
import { storeContract } from './contract.js';
import { couchbaseTestSettings } from '../helpers/couchbase.js';
import { openCouchbaseStore } from '../../src/store/couchbase/open.js';

const settings = couchbaseTestSettings();
if (!settings) {
  it('Store contract: couchbase', (t) => { t.skip('skipped: COUCHBASE_CONNSTR not set'); });
  console.log('# Store contract: couchbase skipped: COUCHBASE_CONNSTR not set');
} else {
  let prefix = '';
  // A connection of the test's own reads the documents (docs/couchbase.md), not what the store answers.
  let cluster: Promise<Cluster> | null = null;
  after(async () => { if (cluster) await (await cluster).close(); });
  const read = async (key: string): Promise<Record<string, unknown> | null> => {
    cluster ??= connect(settings.connStr, { username: settings.username, password: settings.password });
    const coll = (await cluster).bucket(settings.bucket).defaultCollection();
    try { return (await coll.get(key)).content as Record<string, unknown>; } catch (e) {
      if (e instanceof DocumentNotFoundError) return null;
      throw e;
    }
  };
  storeContract('couchbase', async () => openCouchbaseStore({ ...settings, keyPrefix: (prefix = `test-${randomUUID()}`) }, systemClock),
    async (_store, eventId) => {
      const event = await read(`${prefix}:e:${eventId}`);
      const tasks = (await Promise.all(((event?.taskIds as string[] | undefined) ?? []).map((id) => read(`${prefix}:t:${id}`)))).filter((t) => t !== null);
      const own = tasks.filter((t) => !t.sharedPayload).length;
      return { payloads: own + (event?.data ? 1 : 0), copies: tasks.length, records: tasks.length + (event ? 1 : 0) };
    });
}
