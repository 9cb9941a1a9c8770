// A queue's limits, the same rules for every store and for status: a token bucket one second deep
// (rateLimit tasks a second) and a cap on tasks started at once (concurrency).
export interface RateBucket { tokens: number; atMs: number }

/** Tokens in the bucket at nowMs: what was left at the last start, refilled at rate a second, capped. */
export function tokensAt(rate: number, last: RateBucket | null, nowMs: number): number {
  if (!last) return rate;
  return Math.min(rate, last.tokens + (Math.max(0, nowMs - last.atMs) * rate) / 1000);
}

/** Why a queue hands out nothing now, if it is held: paused, at its concurrency, or out of tokens. */
export function heldBy(q: { policy: { paused: boolean; concurrency: number | null; rateLimit: number | null }; started: number; rate: RateBucket | null }, nowMs: number): 'paused' | 'concurrency' | 'rateLimit' | null {
  if (q.policy.paused) return 'paused';
  if (q.policy.concurrency !== null && q.started >= q.policy.concurrency) return 'concurrency';
  if (q.policy.rateLimit !== null && tokensAt(q.policy.rateLimit, q.rate, nowMs) < 1) return 'rateLimit';
  return null;
}
