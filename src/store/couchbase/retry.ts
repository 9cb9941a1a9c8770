// The CAS retry loop: an optimistic write that lost a race is re-run from a fresh read. Couchbase
// transactions retry write-write conflicts themselves on a real cluster, but some servers (and the
// gocaves mock) answer a conflicting staged write with a failed transaction instead; that is safe to
// re-run whole, because a failed transaction has been rolled back.

export interface RetryOptions {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 60, baseDelayMs: 2, maxDelayMs: 200 };

const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs work until it succeeds or throws something isConflict does not recognise; full jitter between tries. */
export async function retryOnConflict<T>(work: (attempt: number) => Promise<T>, isConflict: (e: unknown, attempt: number) => boolean, opts: RetryOptions = DEFAULT_RETRY): Promise<T> {
  const sleep = opts.sleep ?? sleepMs;
  const random = opts.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (e) {
      if (attempt >= opts.attempts || !isConflict(e, attempt)) throw e;
      const cap = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.floor(random() * cap));
    }
  }
}
