// Waiting in tests: poll a condition until it holds, never sleep and hope.
import { setTimeout as sleep } from 'node:timers/promises';

/** Calls probe every intervalMs until it returns something truthy, and returns that; fails naming
 *  what it waited for after timeoutMs. */
export async function until<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 15_000, intervalMs = 20): Promise<NonNullable<T>> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
