// The CAS retry loop: an optimistic write that lost a race is re-run from a fresh read. Couchbase
// transactions retry write-write conflicts themselves on a real cluster, but some servers (and the
// gocaves mock) answer a conflicting staged write with a failed transaction instead; that is safe to
// re-run whole, because a failed transaction has been rolled back.

import type { Clock } from '../../clock.js';

export interface RetryOptions {
  attempts: number;
  /** Stop retrying once this much time has passed since the first try. */
  budgetMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
  /** The jitter's draws and the budget's time. */
  clock: Clock;
}

// A transaction left behind by a node that died blocks its documents until it expires (the
// transaction timeout, 5 s); the budget outlasts that, so a crash costs a wait, not an error.
export const RETRY_LIMITS: Omit<RetryOptions, 'clock'> = { attempts: 1000, budgetMs: 30_000, baseDelayMs: 2, maxDelayMs: 250 };

const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs work until it succeeds or throws something isConflict does not recognise; full jitter between tries. */
export async function retryOnConflict<T>(work: (attempt: number) => Promise<T>, isConflict: (e: unknown, attempt: number) => boolean, opts: RetryOptions): Promise<T> {
  const sleep = opts.sleep ?? sleepMs;
  const start = opts.clock.nowMs();
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (e) {
      if (attempt >= opts.attempts || opts.clock.nowMs() - start > opts.budgetMs || !isConflict(e, attempt)) throw e;
      const cap = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.floor(opts.clock.random() * cap));
    }
  }
}
