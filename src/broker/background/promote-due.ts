// Scheduled tasks whose time has come become ready (claims also promote, so this only keeps counts fresh).
import type { BrokerContext } from '../context.js';

export const PROMOTE_BATCH = 1000;

export async function promoteDue(ctx: BrokerContext, nowMs: number): Promise<number> {
  const n = await ctx.store.promoteDueTasks(nowMs, PROMOTE_BATCH);
  if (n) ctx.waiters.wakeAll();
  return n;
}
