// What every broker operation reaches: the store, the settings it needs, the interest cache, waiters.
import type { RoutingTap } from './tap.js';
import type { RecordSettings, RoutingRecords } from './routing-records.js';
import type { Logger } from '../log.js';
import type { Store, TransitionRules } from '../store/store.js';
import type { InterestsCache } from './interests-cache.js';
import type { Waiters } from './waiters.js';
import type { BrokerMetrics } from '../metrics.js';
import type { CronMatchers } from '../schedules/cron.js';
import type { PushTargets } from '../security/push-targets.js';
import type { QueuePolicy } from '../model.js';

/** A broker's settings. Those of what routing keeps (RecordSettings: the what-if sample's size and
 *  rate, how long and how many unrouted events stay) are routing-records.ts DEFAULTS unless given. */
export interface BrokerSettings extends Partial<RecordSettings> {
  leaseSeconds: number;
  workerTimeoutSeconds: number;
  keepFinishedSeconds: number;
  idempotencyTtlSeconds: number;
  /** Signs pushes of queues without a secret of their own; null: unsigned. */
  pushSecret: string | null;
  /** How often each node looks for queues that gained or lost a pushUrl (each look reads every
   *  queue's summary: one query on SQLite, one document per queue on Couchbase). */
  pushDiscoveryIntervalMs: number;
  /** The long polls' shared tick (waiters.ts CROSS_NODE_POLL_MS unless given). */
  crossNodePollMs?: number;
  /** How long audit entries are kept (audit.ts DEFAULT_AUDIT_KEEP_SECONDS unless given). */
  auditKeepSeconds?: number;
  /** Copies a publish may make (publish.ts DEFAULT_FAN_OUT unless given). */
  fanOut?: { maxCopiesPerEvent: number; maxCopiesPerRequest: number };
  /** Capacity limits (capacity.ts DEFAULT_CAPACITY unless given). */
  maxQueues?: number;
  maxWorkers?: number;
  maxSchedules?: number;
  /** Internal push targets allowed anyway (SWITCHYARD_PUSH_ALLOW: hosts and CIDRs). */
  pushAllow?: readonly string[];
  /** Data fields (dot paths) the live tap never shows (SWITCHYARD_TAP_REDACT). */
  tapRedact?: readonly string[];
}

/** This node's push workers, told of a queue's new policy (null: the queue is gone) so that they
 *  follow it before the change is answered; other nodes follow at their next look. */
export interface PushFollower {
  follow(queue: string, policy: QueuePolicy | null): Promise<void>;
}

export interface BrokerContext {
  store: Store;
  settings: BrokerSettings;
  rules: TransitionRules;
  interests: InterestsCache;
  waiters: Waiters;
  metrics: BrokerMetrics;
  /** Compiled cron expressions of the schedules (an accelerator, rebuilt from the store). */
  cron: CronMatchers;
  /** Where a pushUrl may point and a push may connect. */
  pushTargets: PushTargets;
  /** Routing decisions as they happen on this node (GET /tap). */
  tap: RoutingTap;
  /** The sample, unrouted events and match counts routing leaves in the store. */
  records: RoutingRecords;
  /** Set once the node's push workers start (server.ts). */
  pushing: PushFollower | null;
  log: Logger;
  now: () => number;
}
