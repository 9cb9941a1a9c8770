// The Store interface: every method is one atomic state transition or one read, in queue words.
// Both drivers (sqlite.ts, couchbase.ts) implement it and pass the one contract suite in
// test/store-contract/. Time-dependent calls take nowMs; batch-first where a batch makes sense.
import type { TaskState } from '../lifecycle/states.js';
export type { TaskState };

export type InterestMap = '*' | Record<string, string>;

/** Why a task was routed to its queue: the interest revision and the pair that matched. */
export interface RouteInfo {
  revision: number;
  /** '*' when the queue takes every event; otherwise the matching field and patterns. */
  interest: '*' | { field: string; keyPattern: string; valuePattern: string };
}

export interface QueuePolicy {
  paused: boolean;
  maxAttempts: number;
  backoffSeconds: number;
  maxBackoffSeconds: number;
  /** null: the broker's default (SWITCHYARD_LEASE). */
  leaseSeconds: number | null;
  /** Tasks started per second across all workers and nodes; null = unlimited. */
  rateLimit: number | null;
  /** Tasks started at once across all workers and nodes; null = unlimited. */
  concurrency: number | null;
  /** When set, the broker POSTs each task here instead of waiting for a worker to pull it. */
  pushUrl: string | null;
  /** How long a push may take before it counts as a failure. */
  pushTimeoutSeconds: number;
  /** Signs this queue's pushes instead of SWITCHYARD_PUSH_SECRET; never shown back. */
  pushSecret: string | null;
}

export const DEFAULT_POLICY: Readonly<QueuePolicy> = Object.freeze({
  paused: false, maxAttempts: 5, backoffSeconds: 10, maxBackoffSeconds: 3600,
  leaseSeconds: null, rateLimit: null, concurrency: null, pushUrl: null, pushTimeoutSeconds: 30, pushSecret: null,
});

/** A recurring event: what PUT /schedule stores. */
export interface ScheduleDefinition {
  name: string;
  /** node-cron syntax (5 fields, or 6 with seconds first). */
  cron: string;
  /** IANA zone the expression is read in; null: the broker's local zone. */
  timezone: string | null;
  /** The PUT /task body each tick publishes: publisher, data and options. */
  event: Record<string, unknown>;
  paused: boolean;
}

export interface ScheduleRecord extends ScheduleDefinition {
  createdAtMs: number;
  updatedAtMs: number;
  /** Every tick up to here is handled (fired, or skipped while paused); later ones are due. */
  lastTickMs: number;
  lastFiredAtMs: number | null;
  lastEventId: string | null;
  /** How many ticks the last firing stood for beyond its own (missed while every node was down). */
  lastMissedTicks: number;
}

/** What a firing changes in its schedule's record. */
export interface ScheduleFiring {
  lastTickMs: number;
  lastFiredAtMs: number;
  lastEventId: string | null;
  lastMissedTicks: number;
}

export interface HistoryEntry {
  atMs: number;
  /** created | started | progress | succeeded | failed | retry-scheduled | lease-expired | returned |
   *  cancelled | retried | data-edited | re-enqueued */
  what: string;
  workerId?: string;
  attempt?: number;
  reason?: string;
  [more: string]: unknown;
}

export interface TaskRecord {
  taskId: string;
  eventId: string;
  queue: string;
  publisher: string;
  data: Record<string, unknown>;
  state: TaskState;
  priority: number;
  attempts: number;
  /** The event's override, or null: the queue's policy applies. */
  maxAttempts: number | null;
  runAtMs: number;
  createdAtMs: number;
  workerId: string | null;
  /** scope `all`: the one worker this copy is for; null = any worker of the queue. */
  targetWorkerId: string | null;
  leaseExpiresAtMs: number | null;
  finishedAtMs: number | null;
  uniqueKey: string | null;
  singularlyRun: boolean;
  failReason: string | null;
  result: unknown;
  route: RouteInfo;
  history: HistoryEntry[];
}

/** One event, already routed by the broker, to be stored with all its copies at once. */
export interface NewEvent {
  eventId: string;
  publisher: string;
  data: Record<string, unknown>;
  runAtMs: number;
  priority: number;
  scope: 'any' | 'all';
  singularlyEnqueue: boolean;
  singularlyRun: boolean;
  /** Set when either flag is set (given, or a hash of data's canonical JSON). */
  uniqueKey: string | null;
  maxAttempts: number | null;
  /** May be empty: an event no queue wants is stored only for its idempotency key. */
  routes: { queue: string; route: RouteInfo }[];
  /** idempotencyKey: a repeat from the same publisher within expiresAtMs replays the first answer. */
  idempotency: { key: string; bodyHash: string; expiresAtMs: number } | null;
  /** Where the event came from when the broker made it (a schedule's tick), kept in each copy's history. */
  origin?: Record<string, unknown>;
}

export interface PublishedEvent {
  eventId: string;
  status: 'enqueued' | 'scheduled' | 'discarded';
  /** true: the same publisher sent the same idempotency key and body before; this is that answer. */
  replayed: boolean;
  tasks: { taskId: string; queue: string; state: 'ready' | 'scheduled'; targetWorkerId: string | null }[];
  /** Queues that got no copy because singularlyEnqueue found a waiting task with the same key. */
  deduplicated: string[];
}

/** idempotency_conflict: event `index` reuses a key of its publisher with another body; nothing stored. */
export type PublishResult =
  | { outcome: 'ok'; events: PublishedEvent[] }
  | { outcome: 'idempotency_conflict'; index: number; key: string }
  /** The interests changed since the events were routed (routedAtRevision): nothing was stored. */
  | { outcome: 'interests_changed'; revision: number };

/** The status a publish answers: discarded when no queue wants it, scheduled when due later. */
export function publishStatus(ev: NewEvent, nowMs: number): PublishedEvent['status'] {
  return ev.routes.length === 0 ? 'discarded' : ev.runAtMs > nowMs ? 'scheduled' : 'enqueued';
}

/** What removing workers did: how many went, how many started tasks went back, how many copies made
 *  for them were cancelled. */
export interface WorkersRemoved { workers: number; tasksReturned: number; tasksCancelled: number }

export interface WorkerRecord {
  workerId: string;
  name: string;
  queues: string[];
  registeredAtMs: number;
  lastSeenAtMs: number;
  tasksDone: number;
  /** taskIds this worker has started now. */
  tasks: string[];
}

/** A claimed task: what a worker (or a push) is handed. */
export type WorkTask = Pick<TaskRecord, 'taskId' | 'eventId' | 'queue' | 'publisher' | 'data' | 'priority' | 'attempts' | 'runAtMs' | 'createdAtMs' | 'leaseExpiresAtMs'>;

export type ClaimResult = { outcome: 'ok'; tasks: WorkTask[] } | { outcome: 'worker_not_found' };

export interface Report {
  taskId: string;
  state: 'success' | 'fail' | 'progress';
  failReason?: string;
  reEnqueue?: boolean;
  result?: unknown;
  /** Set by the broker on a fail: a uniform [0, 1) draw for the retry's jitter (stores roll no dice). */
  draw?: number;
}

export type ReportOutcome =
  | { outcome: 'ok'; taskId: string; queue: string; state: TaskState; startedAtMs: number; retryAtMs?: number; reEnqueuedTaskId?: string; leaseExpiresAtMs?: number }
  | { outcome: 'task_not_found' | 'task_not_owned' | 'task_finished'; taskId: string };

export type ReportResult = { outcome: 'ok'; reports: ReportOutcome[] } | { outcome: 'worker_not_found' };

export interface FailedFilter {
  queue?: string;
  /** Text contained in the last failure reason. */
  reason?: string;
  /** Text contained in the payload's JSON. */
  search?: string;
  /** A payload field (dot path) whose text equals fieldValue exactly (see hasFieldText). */
  field?: { path: string; value: string };
}

export type FailedSelection = { taskIds: string[] } | { all: true; filter: FailedFilter };

export interface QueueSummary {
  name: string;
  counts: Record<TaskState, number>;
  policy: QueuePolicy;
  /** false for a queue that exists only because workers or tasks name it. */
  declared: boolean;
  interests: InterestMap | null;
  /** The rate bucket as the last start left it (null: full, or no rateLimit). */
  rate: { tokens: number; atMs: number } | null;
}

export interface Totals {
  published: number;
  started: number;
  succeeded: number;
  failed: number;
  retried: number;
}

export interface ThroughputMinute extends Totals {
  minuteMs: number;
}

/** The settings the broker hands the store with each transition, so both drivers apply the same
 *  rules (lifecycle/) to the same numbers. */
export interface TransitionRules {
  defaultLeaseSeconds: number;
  /** ± fraction of random spread on retry delays (lifecycle/backoff.ts); 0 makes them exact. */
  backoffJitter: number;
}

/** Thrown by a driver when its database cannot be reached or written: the broker answers 503. */
export class StoreUnavailableError extends Error {}

export interface Store {
  readonly kind: 'sqlite' | 'couchbase';

  /** Resolves when the store answers; rejects when it does not (healthz). */
  ping(): Promise<void>;
  close(): Promise<void>;

  // ---- interests and queues ------------------------------------------------------------------

  /** Global interests revision: bumps on every change to any queue's interests. Cheap; the broker
   *  compares it to its cached compiled maps (publishes check it inside their own write instead). */
  interestsRevision(): Promise<number>;
  /** Every queue that has interests, with the global revision they were read at. */
  loadInterests(): Promise<{ revision: number; queues: { queue: string; interests: InterestMap }[] }>;
  /** Replaces the queue's interest map (creating the queue with the default policy if needed).
   *  Returns the new global revision, and whether the queue was declared by this call. */
  setInterests(queue: string, interests: InterestMap, nowMs: number): Promise<{ revision: number; created: boolean }>;
  /** Removes the queue's interests; the queue and its tasks stay. false: no such queue. */
  removeInterests(queue: string): Promise<boolean>;

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

  // ---- events and tasks ----------------------------------------------------------------------

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
  claimTasks(workerId: string, count: number, nowMs: number, rules: TransitionRules): Promise<ClaimResult>;

  /** Applies a worker's reports in one transaction, one outcome per report in input order.
   *  success: started → succeeded. fail: started → scheduled (retry after backoff) or failed when
   *  attempts are spent. progress: extends the lease. reEnqueue (success/fail): the task is closed
   *  (succeeded, or cancelled after a fail) and a fresh copy is ready now. Guard: started and owned
   *  by workerId; a report that fails its guard changes nothing. Refreshes the worker's last-seen (as claimTasks). */
  reportTasks(workerId: string, reports: Report[], nowMs: number, rules: TransitionRules): Promise<ReportResult>;

  /** Cancels waiting copies (scheduled/ready). By taskId: null when unknown, 'not_waiting' when the
   *  task is started or finished. By eventId: null when no task has it. */
  cancelWaitingTasks(sel: { taskId: string } | { eventId: string }, nowMs: number): Promise<{ cancelled: number } | 'not_waiting' | null>;

  getTask(taskId: string): Promise<TaskRecord | null>;
  /** Tasks of a queue in one state, newest first (paging for the page and status). */
  listTasks(queue: string, state: TaskState, limit: number, offset: number): Promise<{ total: number; tasks: TaskRecord[] }>;

  // ---- workers -------------------------------------------------------------------------------

  registerWorker(name: string, queues: string[], nowMs: number): Promise<WorkerRecord>;
  getWorker(workerId: string): Promise<WorkerRecord | null>;
  listWorkers(): Promise<WorkerRecord[]>;
  /** Removes workers (one, or every worker of a queue); their started tasks return to ready and
   *  the copies made for them (scope 'all': waiting or started) are cancelled (lifecycle/transitions.ts
   *  planWorkerRemoval). */
  removeWorkers(sel: { workerId: string } | { queue: string }, nowMs: number): Promise<WorkersRemoved>;

  // ---- failed queue --------------------------------------------------------------------------

  listFailedTasks(filter: FailedFilter, limit: number, offset: number): Promise<{ total: number; tasks: TaskRecord[] }>;
  /** failed → ready with fresh attempts, optionally into another queue and (single task) with
   *  edited data, the original kept in history. A copy made for one worker stays that worker's only
   *  while it serves the task's (new) queue, else it is for any worker (targetOnReturn). Returns how many moved. */
  retryFailedTasks(sel: FailedSelection, opts: { toQueue?: string; data?: Record<string, unknown> }, nowMs: number): Promise<number>;
  deleteFailedTasks(sel: FailedSelection): Promise<number>;

  // ---- schedules -----------------------------------------------------------------------------

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
   *  nodes handling one tick, one records it). false: another node got there first, or it is gone. */
  recordScheduleFiring(name: string, fromTickMs: number, firing: ScheduleFiring): Promise<boolean>;

  // ---- sweeps (each safe to run on every node at once; bounded by limit) ----------------------

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

  // ---- status --------------------------------------------------------------------------------

  /** Every queue that is declared or named by a task or worker, or just the one asked for. */
  queueSummaries(queue?: string): Promise<QueueSummary[]>;
  totals(): Promise<Record<string, Totals>>;
  /** Per-minute counts since sinceMs, all queues added up, or one queue's. */
  throughput(sinceMs: number, queue?: string): Promise<ThroughputMinute[]>;
  /** A counter kept in the store (e.g. fastPost errors), so every node reports the same number. */
  addToCounter(name: string, by: number): Promise<void>;
  counter(name: string): Promise<number>;
}
