// The embedded store: one SQLite file (connection.ts) and its transitions, one file per area, each
// applying the rules of lifecycle/ under its own guard (a WHERE clause; the changed-row count decides).
// Cannot yet: use a second core for its writes (SQLite has one writer; every area shares the
// connection's one transaction per commit).
import { composeStore, reportKinds } from '../areas.js';
import type { Store } from '../store.js';
import type { Clock } from '../../clock.js';
import { SqliteConnection } from './connection.js';
import { SqliteQueues } from './queues.js';
import { SqlitePublish } from './publish.js';
import { SqliteClaim } from './claim.js';
import { SqliteReport } from './report.js';
import { SqliteTasks } from './tasks.js';
import { SqliteWorkers } from './workers.js';
import { SqliteFailed } from './failed.js';
import { SqliteSchedules } from './schedules.js';
import { SqliteSweeps } from './sweeps.js';
import { SqliteStatus } from './status.js';
import { SqliteTokens } from './tokens.js';
import { SqliteAudit } from './audit.js';
import { SqliteRoutingRecords } from './routing-records.js';

/** clock: the time migrations are recorded at (the transitions take nowMs from the broker). */
export function openSqliteStore(file: string, opts: { sync: 'full' | 'normal'; clock: Clock }): Store {
  const c = new SqliteConnection(file, opts);
  const publish = new SqlitePublish(c);
  const workers = new SqliteWorkers(c);
  const report = new SqliteReport(c, publish);
  return composeStore({ kind: 'sqlite', ping: () => c.ping(), close: () => c.close() }, {
    queues: new SqliteQueues(c), publish, claim: new SqliteClaim(c), report: reportKinds((...args) => report.applyReports(...args)),
    tasks: new SqliteTasks(c), workers, failed: new SqliteFailed(c, workers), schedules: new SqliteSchedules(c),
    sweeps: new SqliteSweeps(c, workers), status: new SqliteStatus(c), tokens: new SqliteTokens(c), audit: new SqliteAudit(c),
    routingRecords: new SqliteRoutingRecords(c),
  });
}
