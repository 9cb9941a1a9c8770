// The Store interface, split by area (events and tasks, queues, workers, the failed queue,
// schedules, sweeps, status): every method is one atomic state transition or one read, in queue
// words. Both drivers (sqlite/, couchbase/) implement it and pass the one contract suite in
// test/store-contract/. Time-dependent calls take nowMs; batch-first where a batch makes sense.
import type {
  ClaimResult, CompleteReport, InterestChange, InterestChangeBy, FailReport, FailedFilter, FailedSelection, InterestMap, NewEvent, PublishResult, QueuePolicy, QueueSummary, Report, ReportResult,
  AuditEntry, EventLogName, InterestMatchCount, LoggedEvent, ScheduleDefinition, ScheduleFiring, ScheduleRecord, TaskRecord, TokenRecord, TaskState, ThroughputMinute, Totals, WorkerRecord, WorkersRemoved,
} from '../model.js';
// The store's words are the model's: drivers import them from here or from model.ts alike.
export * from '../model.js';
export { StoreUnavailableError } from '../errors.js';

/** The settings the broker hands the store with each transition, so both drivers apply the same
 *  rules (lifecycle/) to the same numbers. */
export interface TransitionRules {
  defaultLeaseSeconds: number;
  /** ± fraction of random spread on retry delays (lifecycle/backoff.ts); 0 makes them exact. */
  backoffJitter: number;
}


/** A store: every area, plus its own life. */
export interface Store extends QueueStore, TaskStore, WorkerStore, FailedStore, ScheduleStore, SweepStore, StatusStore, TokenStore, AuditStore, RoutingRecordStore {
  readonly kind: 'sqlite' | 'couchbase';

  /** Resolves when the store answers; rejects when it does not (healthz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Interests and queue policy. */
export interface QueueStore {
  /** Global interests revision: bumps on every change to any queue's interests. Cheap; the broker
   *  compares it to its cached compiled maps (publishes check it inside their own write instead). */
  interestsRevision(): Promise<number>;
  /** Every queue that has interests, with the global revision they were read at. */
  loadInterests(): Promise<{ revision: number; queues: { queue: string; interests: InterestMap }[] }>;
  /** Replaces the queue's interest map (creating the queue with the default policy if needed), and
   *  keeps the change in the queue's history in the same write. Returns the new global revision, and
   *  whether the queue was declared by this call. */
  setInterests(queue: string, interests: InterestMap, nowMs: number, by?: InterestChangeBy): Promise<{ revision: number; created: boolean }>;
  /** Removes the queue's interests (kept in its history); the queue and its tasks stay. false: no such queue. */
  removeInterests(queue: string, nowMs: number, by?: InterestChangeBy): Promise<boolean>;
  /** The queue's interest changes, newest first (a store may keep only its latest 1,000 per queue). */
  interestHistory(queue: string, limit: number, offset: number): Promise<{ total: number; changes: InterestChange[] }>;
  /** One change of the queue's interests by the revision it made, or null. */
  interestChange(queue: string, revision: number): Promise<InterestChange | null>;

  /** The queue's policy, or null when the queue was never declared. */
  getQueuePolicy(queue: string): Promise<QueuePolicy | null>;
  /** Applies the given fields (creating the queue if needed) and returns the whole policy, and whether
   *  the queue was declared by this call. */
  updateQueuePolicy(queue: string, patch: Partial<QueuePolicy>, nowMs: number): Promise<{ policy: QueuePolicy; created: boolean }>;
  /** Removes the queue, its interests and its waiting (scheduled/ready) tasks. Started tasks finish
   *  normally; failed tasks stay in the failed queue. null: no such queue and no waiting tasks. */
  deleteQueue(queue: string): Promise<{ waitingTasksDeleted: number } | null>;
  /** Deletes the queue's waiting (scheduled/ready) tasks; the queue, its interests and its other
   *  tasks stay. Returns how many went. */
  purgeWaitingTasks(queue: string): Promise<number>;
}

/** Events and their tasks: publish, claim, report, cancel, read. */
export interface TaskStore {
  /** Stores each event with all its copies in one transaction: all events or none.
   *  scope 'all' expands to one copy per worker registered on the queue now (one untargeted copy
   *  when it has none). singularlyEnqueue skips queues holding a waiting task with the same key.
   *  routedAtRevision: the interests revision the routes were computed at; checked in the same
   *  transaction, so no publish is stored with routes that were already out of date. */
  publishEvents(events: NewEvent[], nowMs: number, routedAtRevision?: number): Promise<PublishResult>;

  /** Hands up to `count` tasks to the worker and leases them: ready tasks (and scheduled ones now due)
   *  of the worker's queues in its priority order, then priority, due time, arrival. Skips paused
   *  queues, queues at their concurrency or rate limit, and singularlyRun tasks whose key is started.
   *  Refreshes the worker's last-seen time (a store may skip that within a second of the last
   *  refresh). Guard: a task is started by one worker at a time. */
  claimTasks(workerId: string, count: number, nowMs: number, rules: TransitionRules, only?: readonly string[]): Promise<ClaimResult>;

  /** A worker's success reports, one outcome per report in input order: started → succeeded; with
   *  reEnqueue, and a fresh copy ready now. Guard, in the statement or the transaction: started AND
   *  owned by workerId; a report that fails it changes nothing (reportRefusal names why). Refreshes
   *  the worker's last-seen (as claimTasks). */
  completeTasks(workerId: string, reports: CompleteReport[], nowMs: number): Promise<ReportResult>;
  /** A worker's fail reports, as planFail decides: started → scheduled or ready (a retry after the
   *  backoff, jittered by the report's draw), failed (attempts spent), or cancelled with a fresh copy
   *  (reEnqueue). Same guard and outcomes as completeTasks. */
  failTasks(workerId: string, reports: FailReport[], nowMs: number, rules: TransitionRules): Promise<ReportResult>;
  /** Renews the leases of tasks the worker has started, from nowMs (progress). Same guard and outcomes. */
  extendLeases(workerId: string, taskIds: string[], nowMs: number, rules: TransitionRules): Promise<ReportResult>;

  /** Cancels waiting copies (scheduled/ready). By taskId: null when unknown, 'not_waiting' when the
   *  task is started or finished. By eventId: null when no task has it. */
  cancelWaitingTasks(sel: { taskId: string } | { eventId: string }, nowMs: number): Promise<{ cancelled: number } | 'not_waiting' | null>;

  getTask(taskId: string): Promise<TaskRecord | null>;
  /** Tasks by id, in the order asked; unknown ids are left out. */
  getTasks(taskIds: readonly string[]): Promise<TaskRecord[]>;
  /** Ids of the queue's tasks in an exported state (lifecycle/imports.ts EXPORTED_STATES), in id order. */
  listExportedTaskIds(queue: string): Promise<string[]>;
  /** Stores tasks from another store as given (the broker made them asImported), in one transaction:
   *  all or none. existing: ids stored here already (nothing changed). Each is counted in its queue
   *  and state as no work done here (countsOfImport). */
  importTasks(tasks: readonly TaskRecord[], nowMs: number): Promise<{ imported: number } | { existing: string[] }>;
  /** The beanstalkd protocol's integer job ids (src/beanstalk/), one per task, made the first time
   *  it is asked for and unique across every node; null for an unknown task. */
  jobIdsOf(taskIds: readonly string[]): Promise<(number | null)[]>;
  /** The task a job id names, or null (never given, or its task is gone). */
  taskOfJobId(jobId: number): Promise<string | null>;
  /** Tasks of a queue in one state, newest first (paging for the page and status). */
  listTasks(queue: string, state: TaskState, limit: number, offset: number): Promise<{ total: number; tasks: TaskRecord[] }>;
}

/** Workers: register, read, remove. */
export interface WorkerStore {
  registerWorker(name: string, queues: string[], nowMs: number): Promise<WorkerRecord>;
  getWorker(workerId: string): Promise<WorkerRecord | null>;
  listWorkers(): Promise<WorkerRecord[]>;
  /** How many workers are registered (cheap: for the worker limit). */
  countWorkers(): Promise<number>;
  /** Removes workers (one, or every worker of a queue); their started tasks return to ready and
   *  the copies made for them (scope 'all': waiting or started) are cancelled (lifecycle/transitions.ts
   *  planWorkerRemoval). */
  removeWorkers(sel: { workerId: string } | { queue: string }, nowMs: number): Promise<WorkersRemoved>;
}

/** The failed queue: list, retry, delete. */
export interface FailedStore {
  listFailedTasks(filter: FailedFilter, limit: number, offset: number): Promise<{ total: number; tasks: TaskRecord[] }>;
  /** failed → ready with fresh attempts, optionally into another queue and (single task) with
   *  edited data, the original kept in history. A copy made for one worker stays that worker's only
   *  while it serves the task's (new) queue, else it is for any worker (targetOnReturn). Returns how many moved. */
  retryFailedTasks(sel: FailedSelection, opts: { toQueue?: string; data?: Record<string, unknown> }, nowMs: number): Promise<number>;
  deleteFailedTasks(sel: FailedSelection): Promise<number>;
}

/** Schedules: recurring events, one firing per tick across nodes. */
export interface ScheduleStore {
  /** Creates or replaces a schedule. Ticks before nowMs are not due (a new or changed schedule has
   *  no backlog). created: no schedule had that name. */
  putSchedule(def: ScheduleDefinition, nowMs: number): Promise<{ schedule: ScheduleRecord; created: boolean }>;
  getSchedule(name: string): Promise<ScheduleRecord | null>;
  listSchedules(): Promise<ScheduleRecord[]>;
  /** false: no such schedule. */
  deleteSchedule(name: string): Promise<boolean>;
  /** Pauses or resumes; resuming makes ticks before nowMs not due (skipped, not missed). null: no such schedule. */
  setSchedulePaused(name: string, paused: boolean, nowMs: number): Promise<ScheduleRecord | null>;
  /** Records a firing if the schedule's lastTickMs is still fromTickMs (compare-and-set: of several
   *  nodes handling one tick, one records it). A claim (lastEventId null) is refused while the
   *  schedule is paused, so no pass under way when a pause lands claims a tick after it; a
   *  confirmation still lands. false: another node got there first, it is paused, or it is gone. */
  recordScheduleFiring(name: string, fromTickMs: number, firing: ScheduleFiring): Promise<boolean>;
}

/** API tokens, shared by every node: looked up by the hash of the secret a request carries. */
export interface TokenStore {
  /** false: a token has that name already (nothing changed). */
  createToken(token: TokenRecord): Promise<boolean>;
  /** By name. */
  listTokens(): Promise<TokenRecord[]>;
  tokenByHash(hash: string): Promise<TokenRecord | null>;
  /** Whether any token is stored (none: the broker may run open). */
  hasTokens(): Promise<boolean>;
  /** false: no such token. */
  deleteToken(name: string): Promise<boolean>;
  /** Records a use; callers throttle it (a write per request would cost every request a commit). */
  touchToken(name: string, atMs: number): Promise<void>;
}

/** The audit trail of admin changes, newest first. */
export interface AuditStore {
  appendAudit(entry: AuditEntry): Promise<void>;
  listAudit(limit: number, offset: number): Promise<{ total: number; entries: AuditEntry[] }>;
  /** Deletes entries older than beforeMs (Couchbase: whole days of them); how many went. */
  pruneAudit(beforeMs: number): Promise<number>;
}

/** What routing leaves behind, shared by every node: logs of events (the sample of recent ones for
 *  what-if, and those no queue wanted) and how often each interest matched. */
export interface RoutingRecordStore {
  /** Appends events (oldest first) to the log, then drops its oldest beyond keep.count and those
   *  before keep.sinceMs (a store may drop in blocks, keeping a few more). No events: only the drop. */
  appendEvents(log: EventLogName, events: readonly LoggedEvent[], keep: { count: number; sinceMs: number }): Promise<void>;
  /** The log's events at or after sinceMs, newest first. holding: a hint that only events whose
   *  JSON (as JSON.stringify writes it) holds each of these texts are wanted; a store may skip the
   *  others or return them too, so the caller still filters. */
  readEvents(log: EventLogName, sinceMs: number, holding?: readonly string[]): Promise<LoggedEvent[]>;
  /** One page of those (limit from offset, newest first) and how many there are, reading only the
   *  page: a log may hold 100,000 events, and the page lists them every 2 s. */
  readEventsPage(log: EventLogName, sinceMs: number, limit: number, offset: number): Promise<{ total: number; events: LoggedEvent[] }>;
  /** Those of these events the log holds at or after sinceMs, newest first (the page acts on a few
   *  by id; reading all 100,000 kept to find them held the thread 300 ms). */
  readEventsById(log: EventLogName, sinceMs: number, eventIds: readonly string[]): Promise<LoggedEvent[]>;
  /** How many events the log holds (cheap). */
  countEvents(log: EventLogName): Promise<number>;
  /** Removes these events from the log; the ids that were there, so went by this call. */
  removeEvents(log: EventLogName, eventIds: readonly string[]): Promise<string[]>;
  /** Adds each count to its interest's, keeping the latest match time. */
  addInterestMatches(counts: readonly InterestMatchCount[]): Promise<void>;
  interestMatches(): Promise<InterestMatchCount[]>;
}

/** Sweeps: each safe to run on every node at once; bounded by limit. */
export interface SweepStore {
  /** scheduled → ready for tasks due by nowMs. */
  promoteDueTasks(nowMs: number, limit: number): Promise<number>;
  /** started with an expired lease → ready (or failed when attempts are spent: planLeaseExpiry). A
   *  copy for one worker whose worker is gone becomes a copy for any worker (targetOnReturn). */
  expireLeases(nowMs: number, limit: number): Promise<{ returned: number; failed: number }>;
  /** Removes workers last seen before idleBeforeMs, as removeWorkers does. */
  reapIdleWorkers(idleBeforeMs: number, nowMs: number, limit: number): Promise<WorkersRemoved>;
  /** Deletes succeeded/cancelled tasks finished more than keepFinishedMs ago, and throughput
   *  minutes older than a day. */
  pruneFinishedTasks(nowMs: number, keepFinishedMs: number, limit: number): Promise<number>;
}

/** Status: summaries, totals, throughput, counters. */
export interface StatusStore {
  /** Every queue that is declared or named by a task or worker, or just the one asked for. */
  queueSummaries(queue?: string): Promise<QueueSummary[]>;
  /** How many queues the store knows (cheap: for the queue limit; SQLite counts declared queues,
   *  Couchbase every queue named so far). */
  countQueues(): Promise<number>;
  /** Ready tasks in each of these queues (cheap: the long polls' tick asks it four times a second). */
  readyCounts(queues: readonly string[]): Promise<Map<string, number>>;
  totals(): Promise<Record<string, Totals>>;
  /** Per-minute counts since sinceMs, all queues added up, or one queue's. */
  throughput(sinceMs: number, nowMs: number, queue?: string): Promise<ThroughputMinute[]>;
  /** A counter kept in the store (e.g. fastPost errors), so every node reports the same number. */
  addToCounter(name: string, by: number): Promise<void>;
  counter(name: string): Promise<number>;
}
