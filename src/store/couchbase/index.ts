// The clustered store: any number of stateless broker nodes over one Couchbase bucket, using only
// key-value operations and transactions (a Data-service-only cluster is enough). Every transition is
// one transaction over the documents it touches, so racing nodes serialize per queue and exactly
// one of them wins; a lost race re-runs from fresh reads. One file per area, the same names as the
// SQLite driver's; the layout is explained in docs/couchbase.md.
// Cannot yet: claim from a queue without scanning its ready lane past other workers' scope-all
// copies (SQLite seeks them), nor spread one queue's transitions over several documents.
import type { Cluster, Collection } from 'couchbase';
import { CouchbaseConnection } from './connection.js';
import type { CouchbaseOptions } from './connection.js';
import type { Store, ClaimResult, FailedFilter, FailedSelection, InterestMap, NewEvent, PublishResult, QueuePolicy, QueueSummary, Report, ReportResult, ScheduleDefinition, ScheduleFiring, ScheduleRecord, TaskRecord, TaskState, ThroughputMinute, Totals, TransitionRules, WorkerRecord, WorkersRemoved } from '../store.js';
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

export class CouchbaseStore implements Store {
  private readonly queues: CouchbaseQueues;
  private readonly publish: CouchbasePublish;
  private readonly claim: CouchbaseClaim;
  private readonly report: CouchbaseReport;
  private readonly tasks: CouchbaseTasks;
  private readonly workers: CouchbaseWorkers;
  private readonly failed: CouchbaseFailed;
  private readonly schedules: CouchbaseSchedules;
  private readonly sweeps: CouchbaseSweeps;
  private readonly status: CouchbaseStatus;

  readonly kind = 'couchbase' as const;
  private readonly c: CouchbaseConnection;

  constructor(cluster: Cluster, coll: Collection, readonly opts: CouchbaseOptions) {
    this.c = new CouchbaseConnection(cluster, coll, opts);
    this.queues = new CouchbaseQueues(this.c);
    this.publish = new CouchbasePublish(this.c);
    this.claim = new CouchbaseClaim(this.c);
    this.report = new CouchbaseReport(this.c, this.publish);
    this.tasks = new CouchbaseTasks(this.c);
    this.workers = new CouchbaseWorkers(this.c);
    this.failed = new CouchbaseFailed(this.c);
    this.schedules = new CouchbaseSchedules(this.c);
    this.sweeps = new CouchbaseSweeps(this.c, this.workers);
    this.status = new CouchbaseStatus(this.c);
  }

  ping(): Promise<void> { return this.c.ping(); }
  close(): Promise<void> { return this.c.close(); }

  // queues.ts
  interestsRevision(): Promise<number> { return this.queues.interestsRevision(); }
  loadInterests(): Promise<{ revision: number; queues: { queue: string; interests: InterestMap }[] }> { return this.queues.loadInterests(); }
  setInterests(queue: string, interests: InterestMap, nowMs: number): Promise<{ revision: number; created: boolean }> { return this.queues.setInterests(queue, interests, nowMs); }
  removeInterests(queue: string): Promise<boolean> { return this.queues.removeInterests(queue); }
  getQueuePolicy(queue: string): Promise<QueuePolicy | null> { return this.queues.getQueuePolicy(queue); }
  updateQueuePolicy(queue: string, patch: Partial<QueuePolicy>, nowMs: number): Promise<{ policy: QueuePolicy; created: boolean }> { return this.queues.updateQueuePolicy(queue, patch, nowMs); }
  purgeWaitingTasks(queue: string): Promise<number> { return this.queues.purgeWaitingTasks(queue); }
  deleteQueue(queue: string): Promise<{ waitingTasksDeleted: number } | null> { return this.queues.deleteQueue(queue); }
  // publish.ts
  publishEvents(events: NewEvent[], nowMs: number, routedAtRevision?: number): Promise<PublishResult> { return this.publish.publishEvents(events, nowMs, routedAtRevision); }
  // claim.ts
  claimTasks(workerId: string, count: number, nowMs: number, rules: TransitionRules): Promise<ClaimResult> { return this.claim.claimTasks(workerId, count, nowMs, rules); }
  // report.ts
  reportTasks(workerId: string, reports: Report[], nowMs: number, rules: TransitionRules): Promise<ReportResult> { return this.report.reportTasks(workerId, reports, nowMs, rules); }
  // tasks.ts
  cancelWaitingTasks(sel: { taskId: string } | { eventId: string }, nowMs: number): Promise<{ cancelled: number } | 'not_waiting' | null> { return this.tasks.cancelWaitingTasks(sel, nowMs); }
  getTask(taskId: string): Promise<TaskRecord | null> { return this.tasks.getTask(taskId); }
  listTasks(queue: string, state: TaskState, limit: number, offset: number): Promise<{ total: number; tasks: TaskRecord[] }> { return this.tasks.listTasks(queue, state, limit, offset); }
  // workers.ts
  registerWorker(name: string, queues: string[], nowMs: number): Promise<WorkerRecord> { return this.workers.registerWorker(name, queues, nowMs); }
  getWorker(workerId: string): Promise<WorkerRecord | null> { return this.workers.getWorker(workerId); }
  listWorkers(): Promise<WorkerRecord[]> { return this.workers.listWorkers(); }
  removeWorkers(sel: { workerId: string } | { queue: string }, nowMs: number): Promise<WorkersRemoved> { return this.workers.removeWorkers(sel, nowMs); }
  // failed.ts
  listFailedTasks(filter: FailedFilter, limit: number, offset: number): Promise<{ total: number; tasks: TaskRecord[] }> { return this.failed.listFailedTasks(filter, limit, offset); }
  retryFailedTasks(sel: FailedSelection, opts: { toQueue?: string; data?: Record<string, unknown> }, nowMs: number): Promise<number> { return this.failed.retryFailedTasks(sel, opts, nowMs); }
  deleteFailedTasks(sel: FailedSelection): Promise<number> { return this.failed.deleteFailedTasks(sel); }
  // schedules.ts
  putSchedule(def: ScheduleDefinition, nowMs: number): Promise<{ schedule: ScheduleRecord; created: boolean }> { return this.schedules.putSchedule(def, nowMs); }
  getSchedule(name: string): Promise<ScheduleRecord | null> { return this.schedules.getSchedule(name); }
  listSchedules(): Promise<ScheduleRecord[]> { return this.schedules.listSchedules(); }
  deleteSchedule(name: string): Promise<boolean> { return this.schedules.deleteSchedule(name); }
  setSchedulePaused(name: string, paused: boolean, nowMs: number): Promise<ScheduleRecord | null> { return this.schedules.setSchedulePaused(name, paused, nowMs); }
  recordScheduleFiring(name: string, fromTickMs: number, firing: ScheduleFiring): Promise<boolean> { return this.schedules.recordScheduleFiring(name, fromTickMs, firing); }
  // sweeps.ts
  promoteDueTasks(nowMs: number, limit: number): Promise<number> { return this.sweeps.promoteDueTasks(nowMs, limit); }
  expireLeases(nowMs: number, limit: number): Promise<{ returned: number; failed: number }> { return this.sweeps.expireLeases(nowMs, limit); }
  reapIdleWorkers(idleBeforeMs: number, nowMs: number, limit: number): Promise<WorkersRemoved> { return this.sweeps.reapIdleWorkers(idleBeforeMs, nowMs, limit); }
  pruneFinishedTasks(nowMs: number, keepFinishedMs: number, limit: number): Promise<number> { return this.sweeps.pruneFinishedTasks(nowMs, keepFinishedMs, limit); }
  // status.ts
  queueSummaries(queue?: string): Promise<QueueSummary[]> { return this.status.queueSummaries(queue); }
  totals(): Promise<Record<string, Totals>> { return this.status.totals(); }
  throughput(sinceMs: number, queue?: string): Promise<ThroughputMinute[]> { return this.status.throughput(sinceMs, queue); }
  addToCounter(name: string, by: number): Promise<void> { return this.status.addToCounter(name, by); }
  counter(name: string): Promise<number> { return this.status.counter(name); }
}
