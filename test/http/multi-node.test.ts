// Three broker nodes over one Couchbase bucket (runs when COUCHBASE_CONNSTR is set): 20,000 tasks
// published through all three, workers spread over them; each task completes exactly once and none
// is started twice at the same time.
import { describe, it } from 'node:test';
import path from 'node:path';
import { tempDir } from '../helpers/server.js';
import { couchbaseTestSettings } from '../helpers/couchbase.js';
import { completeOnNodes } from '../helpers/drain.js';

const TOTAL = 20_000;

describe('three broker nodes over one Couchbase bucket', () => {
  it(`complete ${TOTAL} tasks exactly once, never two workers at once`, { timeout: 30 * 60_000 }, async (t) => {
    if (!couchbaseTestSettings()) { t.skip('skipped: COUCHBASE_CONNSTR not set'); return; }
    // The "file" only names the shared key prefix: all three nodes get the same one.
    await completeOnNodes(path.join(tempDir(), 'cluster'), 3, TOTAL, 4, 100);
  });
});
