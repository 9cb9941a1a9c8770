// The Store contract against Couchbase: runs when COUCHBASE_CONNSTR (and credentials) are set, each
// test under a fresh key prefix in the same bucket, so tests never see each other's documents.
import { systemClock } from '../../src/clock.js';
import { it } from 'node:test';
import { randomUUID } from 'node:crypto';
import { storeContract } from './contract.js';
import { couchbaseTestSettings } from '../helpers/couchbase.js';
import { openCouchbaseStore } from '../../src/store/couchbase/open.js';

const settings = couchbaseTestSettings();
if (!settings) {
  it('Store contract: couchbase', (t) => { t.skip('skipped: COUCHBASE_CONNSTR not set'); });
  console.log('# Store contract: couchbase skipped: COUCHBASE_CONNSTR not set');
} else {
  storeContract('couchbase', async () => openCouchbaseStore({ ...settings, keyPrefix: `test-${randomUUID()}` }, systemClock));
}
