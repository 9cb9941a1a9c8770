// The embedded store: one SQLite file (connection.ts) and its transitions, one file per area, each
// applying the rules of lifecycle/ under its own guard (a WHERE clause; the changed-row count decides).
// Cannot yet: use a second core for its writes (SQLite has one writer; every area shares the
// connection's one transaction per commit).
import { SqliteConnection } from './connection.js';
import type { Store, ClaimResult, FailedFilter, FailedSelection, InterestMap, NewEvent, PublishResult, QueuePolicy, QueueSummary, Report, ReportResult, ScheduleDefinition, ScheduleFiring, ScheduleRecord, TaskRecord, TaskState, ThroughputMinute, Totals, TransitionRules, WorkerRecord, WorkersRemoved } from '../store.js';
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

export class SqliteStore implements Store {
  private readonly queues: SqliteQueues;
  private readonly publish: SqlitePublish;
  private readonly claim: SqliteClaim;
  private readonly report: SqliteReport;
  private readonly tasks: SqliteTasks;
  private readonly workers: SqliteWorkers;
  private readonly failed: SqliteFailed;
  private readonly schedules: SqliteSchedules;
  private readonly sweeps: SqliteSweeps;
  private readonly status: SqliteStatus;

  readonly kind = 'sqlite' as const;
  private readonly c: SqliteConnection;

  constructor(readonly file: string, opts: { sync: 'full' | 'normal' }) {
    this.c = new SqliteConnection(file, opts);
    this.queues = new SqliteQueues(this.c);
    this.publish = new SqlitePublish(this.c);
    this.claim = new SqliteClaim(this.c);
    this.report = new SqliteReport(this.c, this.publish);
    this.tasks = new SqliteTasks(this.c);
    this.workers = new SqliteWorkers(this.c);
    this.failed = new SqliteFailed(this.c, this.workers);
    this.schedules = new SqliteSchedules(this.c);
    this.sweeps = new SqliteSweeps(this.c, this.workers);
    this.status = new SqliteStatus(this.c);
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

export function openSqliteStore(file: string, opts: { sync: 'full' | 'normal' } = { sync: 'full' }): SqliteStore {
  return new SqliteStore(file, opts);
}
