// When a failed attempt runs again: backoffSeconds·2^(attempt−1), ±20% jitter, capped at maxBackoffSeconds.
// Pure: the stores call it inside their fail transition, so the rule is written once for both.

export interface BackoffPolicy {
  backoffSeconds: number;
  maxBackoffSeconds: number;
}

export const BACKOFF_JITTER = 0.2;

/** Delay before the next attempt after `attempt` (1-based) failed; jitter is the ± fraction. */
export function retryDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random, jitter = BACKOFF_JITTER): number {
  // 2^60 is far past any cap; clamping the exponent keeps the arithmetic finite.
  const base = policy.backoffSeconds * 2 ** Math.min(Math.max(attempt - 1, 0), 60);
  const jittered = base * (1 - jitter + 2 * jitter * random());
  return Math.round(Math.min(jittered, policy.maxBackoffSeconds) * 1000);
}
