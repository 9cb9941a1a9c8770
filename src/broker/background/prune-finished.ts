// Succeeded and cancelled tasks stay visible for SWITCHYARD_KEEP_FINISHED, then go; failed ones stay.
import type { BrokerContext } from '../context.js';

export const PRUNE_BATCH = 5000;

export function pruneFinished(ctx: BrokerContext, nowMs: number): Promise<number> {
  return ctx.store.pruneFinishedTasks(nowMs, ctx.settings.keepFinishedSeconds * 1000, PRUNE_BATCH);
}
