// Workers silent past SWITCHYARD_WORKER_TIMEOUT are removed; their started tasks return to their queues.
import type { BrokerContext } from '../context.js';

export const REAP_BATCH = 100;

export async function reapWorkers(ctx: BrokerContext, nowMs: number) {
  const r = await ctx.store.reapIdleWorkers(nowMs - ctx.settings.workerTimeoutSeconds * 1000, nowMs, REAP_BATCH);
  if (r.tasksReturned) ctx.waiters.wakeAll();
  return r;
}
