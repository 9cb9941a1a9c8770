// The clustered store: any number of stateless broker nodes over one Couchbase bucket, using only
// key-value operations and transactions (a Data-service-only cluster is enough). Every transition is
// one transaction over the documents it touches, so racing nodes serialize per queue and exactly
// one of them wins; a lost race re-runs from fresh reads. One file per area, the same names as the
// SQLite driver's; the layout is explained in docs/couchbase.md.
// A queue may spread its tasks over shard documents, one per node (COUCHBASE_QUEUE_SHARDS, queue-doc.ts).
// Cannot yet: claim without scanning a queue's ready lane past other workers' scope-all copies (the
// SQLite driver seeks them).
import type { Cluster, Collection } from 'couchbase';
import { composeStore, reportKinds } from '../areas.js';
import type { Store } from '../store.js';
import type { Clock } from '../../clock.js';
import { CouchbaseConnection, type CouchbaseOptions } from './connection.js';
import { CouchbaseQueues } from './queues.js';
import { CouchbasePublish } from './publish.js';
import { CouchbaseClaim } from './claim.js';
import { CouchbaseReport } from './report.js';
import { CouchbaseTasks } from './tasks.js';
import { CouchbaseWorkers } from './workers.js';
import { CouchbaseFailed } from './failed.js';
import { CouchbaseSchedules } from './schedules.js';
import { CouchbaseSweeps } from './sweeps.js';
import { CouchbaseStatus } from './status.js';
import { CouchbaseTokens } from './tokens.js';
import { CouchbaseAudit } from './audit.js';
import { CouchbaseRoutingRecords } from './routing-records.js';

export function couchbaseStore(cluster: Cluster, coll: Collection, opts: CouchbaseOptions, clock: Clock): Store {
  const c = new CouchbaseConnection(cluster, coll, opts, clock);
  const publish = new CouchbasePublish(c);
  const workers = new CouchbaseWorkers(c);
  const report = new CouchbaseReport(c, publish);
  return composeStore({ kind: 'couchbase', ping: () => c.ping(), close: () => c.close() }, {
    queues: new CouchbaseQueues(c), publish, claim: new CouchbaseClaim(c), report: reportKinds((...args) => report.applyReports(...args)),
    tasks: new CouchbaseTasks(c), workers, failed: new CouchbaseFailed(c), schedules: new CouchbaseSchedules(c),
    sweeps: new CouchbaseSweeps(c, workers), status: new CouchbaseStatus(c), tokens: new CouchbaseTokens(c), audit: new CouchbaseAudit(c),
    routingRecords: new CouchbaseRoutingRecords(c),
  });
}
