// Started tasks whose lease ran out (worker crashed or hung) go back to ready; nothing is lost.
import type { BrokerContext } from '../context.js';

export const EXPIRE_BATCH = 1000;

export async function expireLeases(ctx: BrokerContext, nowMs: number) {
  const r = await ctx.store.expireLeases(nowMs, EXPIRE_BATCH);
  if (r.returned) ctx.waiters.wakeAll();
  return r;
}
