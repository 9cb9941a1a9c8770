// The words every layer shares: records, policies and their defaults, what a publish, a claim and a
// report carry and answer. Routes, the broker and both store drivers import these; nothing here
// knows HTTP or a database.
import type { TaskState } from './lifecycle/states.js';
export type { TaskState };

/** '*' (every event); the CouchQueue map {keyPattern: valuePattern} (any pair matches); or a list of
 *  clauses, any of which matches, each of fields (dot paths) that must all match (routing/clauses.ts). */
export type InterestMap = '*' | Record<string, string> | Clause[];

/** A field's condition in a clause: a regex, or one operator as SNS filter policies name them. */
export type Condition = string
  | { equals: string | number | boolean | null } | { 'equals-ignore-case': string } | { prefix: string } | { suffix: string }
  | { 'anything-but': (string | number | boolean | null)[] | string | number | { prefix: string } }
  | { numeric: (string | number)[] } | { exists: boolean } | { cidr: string };
export type Clause = Record<string, Condition>;

/** Who changed a queue's interests: a token's name ("open" in open mode; null when not known), and the revision a rollback restored. */
export interface InterestChangeBy { who: string | null; rollbackOf?: number | null }

/** One change of a queue's interests, kept with the global revision it made. */
export interface InterestChange {
  queue: string;
  revision: number;
  /** The interests after the change; null: they were removed. */
  interests: InterestMap | null;
  who: string | null;
  atMs: number;
  /** Set when the change restored an earlier revision's interests. */
  rollbackOf: number | null;
}

/** An event the broker keeps for routing's sake: in the sample of recent events (what-if) or
 *  because no queue wanted it (unrouted). options: what a replay publishes it with. */
export interface LoggedEvent {
  eventId: string;
  publisher: string;
  data: Record<string, unknown>;
  atMs: number;
  options?: { priority?: number; scope?: 'any' | 'all'; maxAttempts?: number | null; traceparent?: string | null };
}
export type EventLogName = 'sample' | 'unrouted';

/** How often one interest (a pair, a clause, or "*") of a queue took an event, on every node. The
 *  interest is named by its JSON text, so a changed interest starts again from nothing. */
export interface InterestMatchCount { queue: string; interest: string; count: number; lastMatchMs: number }

/** The interest that took an event: '*' (every event), the matching field and patterns, or the
 *  clause (its index in the list, and its conditions) whose conditions all held. */
export type MatchedInterest = '*' | { field: string; keyPattern: string; valuePattern: string } | { clause: number; conditions: Clause };

/** Why a task was routed to its queue: the interest revision and the pair that matched, or 'direct'
 *  when the publish named the queue (no interest was asked). */
export interface RouteInfo {
  revision: number;
  interest: MatchedInterest | 'direct';
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
  /** A published task may name its own pushUrl here (Cloud Tasks style); the queue is then pushed
   *  even without a pushUrl of its own. */
  allowTaskPushUrl: boolean;
}

export const DEFAULT_POLICY: Readonly<QueuePolicy> = Object.freeze({
  paused: false, maxAttempts: 5, backoffSeconds: 10, maxBackoffSeconds: 3600,
  leaseSeconds: null, rateLimit: null, concurrency: null, pushUrl: null, pushTimeoutSeconds: 30, pushSecret: null,
  allowTaskPushUrl: false,
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
  /** W3C traceparent of the publish that made it (trace-context.ts), or null. */
  traceparent: string | null;
  /** Its own push target (a queue with allowTaskPushUrl), or null. Never answered whole: a URL's
   *  path or query often carries a token. */
  pushUrl: string | null;
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
  /** W3C traceparent of the publish, kept with each copy. */
  traceparent: string | null;
  /** The event's own push target, kept with each copy. */
  pushUrl: string | null;
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
export type WorkTask = Pick<TaskRecord, 'taskId' | 'eventId' | 'queue' | 'publisher' | 'data' | 'priority' | 'attempts' | 'runAtMs' | 'createdAtMs' | 'leaseExpiresAtMs' | 'traceparent' | 'pushUrl'>;

export type ClaimResult = { outcome: 'ok'; tasks: WorkTask[] } | { outcome: 'worker_not_found' };

export interface Report {
  taskId: string;
  state: 'success' | 'fail' | 'progress';
  failReason?: string;
  reEnqueue?: boolean;
  result?: unknown;
  /** Set by the broker on a fail: a uniform [0, 1) draw for the retry's jitter (stores roll no dice). */
  draw?: number;
  /** A fail that says how it goes on, instead of the queue's policy: back to wait after exactly
   *  inMs whatever the attempts (beanstalkd's release), or 'never': straight to the failed queue (bury). */
  retry?: { inMs: number } | 'never';
}

/** A success report: the task's result, and whether a fresh copy goes back to its queue. */
export type CompleteReport = Pick<Report, 'taskId' | 'result' | 'reEnqueue'>;
/** A fail report: why, the task's result, reEnqueue, and the broker's jitter draw. */
export type FailReport = Pick<Report, 'taskId' | 'failReason' | 'result' | 'reEnqueue' | 'draw' | 'retry'>;

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


/** What a token may do: admin everything; publish, work and read their own routes (src/security/access.ts). */
export const ROLES = ['admin', 'publish', 'work', 'read'] as const;
export type Role = (typeof ROLES)[number];

/** A stored API token. Only the SHA-256 hash of its secret is kept. */
export interface TokenRecord {
  name: string;
  role: Role;
  /** work and read tokens may be limited to these queues; null: every queue. */
  queues: string[] | null;
  /** hex SHA-256 of the secret. */
  hash: string;
  createdAtMs: number;
  lastUsedAtMs: number | null;
}

/** One change made with an admin token or in open mode: who, what, when, from where; never payload
 *  data or secrets (fields names the body and query fields sent, not their values). */
export interface AuditEntry {
  atMs: number;
  /** The token's name, or "open". */
  who: string;
  role: Role;
  /** The client's address. */
  from: string;
  /** Method and path, e.g. "PATCH /queue". */
  what: string;
  /** The queue, schedule or token changed, when the request names one. */
  subject: string | null;
  fields: string[];
  status: number;
}
