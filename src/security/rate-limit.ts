// Requests per second per client (a token, or an address in open mode): a token bucket per key, on
// each node. A flood guard, not accounting: a restart forgets it, and each node counts its own.
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();
  private readonly burst: number;

  constructor(private readonly perSecond: number) {
    // Two seconds' worth may arrive at once (a worker fleet waking together).
    this.burst = perSecond * 2;
  }

  /** 0 when the request may go ahead, else the seconds to wait before the next one would. */
  take(key: string, nowMs: number): number {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= 100_000) this.forgetFull(nowMs);
      b = { tokens: this.burst, atMs: nowMs };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((nowMs - b.atMs) / 1000) * this.perSecond);
    b.atMs = nowMs;
    if (b.tokens >= 1) { b.tokens -= 1; return 0; }
    return Math.ceil((1 - b.tokens) / this.perSecond);
  }

  /** Buckets that have refilled hold nothing worth keeping. */
  private forgetFull(nowMs: number): void {
    for (const [k, b] of this.buckets) if (b.tokens + ((nowMs - b.atMs) / 1000) * this.perSecond >= this.burst) this.buckets.delete(k);
  }
}
