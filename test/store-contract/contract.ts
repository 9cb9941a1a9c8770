// The Store contract, written once and run against every driver (sqlite.test.ts, couchbase.test.ts);
// one file per area, named as the drivers' area files are. Every time-dependent call passes nowMs;
// fixtures hold a spread of states and the assertions check that the untouched ones stayed untouched.
import { describe, beforeEach, afterEach } from 'node:test';
import type { Store } from '../../src/store/store.js';
import { kit, type StoredProbe } from './harness.js';
import { publishContract } from './publish.js';
import { claimContract } from './claim.js';
import { reportContract } from './report.js';
import { workersContract } from './workers.js';
import { tasksContract } from './tasks.js';
import { failedContract } from './failed.js';
import { queuesContract } from './queues.js';
import { statusContract } from './status.js';
import { sweepsContract } from './sweeps.js';
import { schedulesContract } from './schedules.js';
import { tokensContract } from './tokens.js';
import { auditContract } from './audit.js';
import { payloadsContract } from './payloads.js';
import { routingRecordsContract } from './routing-records.js';

export function storeContract(name: string, open: () => Promise<Store | undefined>, probe: StoredProbe, skipReason = `${name} is not configured`) {
  describe(`Store contract: ${name}`, () => {
    let store: Store | undefined;
    let skipped = false;

    beforeEach(async () => {
      store = await open();
      skipped = store === undefined;
    });
    afterEach(async () => { await store?.close(); });

    const k = kit(() => store!, () => (skipped ? skipReason : null), probe);
    publishContract(k);
    claimContract(k);
    reportContract(k);
    workersContract(k);
    tasksContract(k);
    failedContract(k);
    queuesContract(k);
    statusContract(k);
    sweepsContract(k);
    schedulesContract(k);
    tokensContract(k);
    auditContract(k);
    payloadsContract(k);
    routingRecordsContract(k);
  });
}
