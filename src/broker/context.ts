// What every broker operation reaches: the store, the settings it needs, the interest cache, waiters.
import type { Logger } from '../log.js';
import type { Store, TransitionRules } from '../store/store.js';
import type { InterestsCache } from './interests-cache.js';
import type { Waiters } from './waiters.js';
import type { BrokerMetrics } from '../metrics.js';

export interface BrokerSettings {
  leaseSeconds: number;
  workerTimeoutSeconds: number;
  keepFinishedSeconds: number;
  idempotencyTtlSeconds: number;
}

export interface BrokerContext {
  store: Store;
  settings: BrokerSettings;
  rules: TransitionRules;
  interests: InterestsCache;
  waiters: Waiters;
  metrics: BrokerMetrics;
  log: Logger;
  now: () => number;
}
