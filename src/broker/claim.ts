// Working: hand a worker its next tasks, optionally long-polling until some arrive.
import type { BrokerContext } from './context.js';
import type { WorkTask } from '../model.js';
import { workerNotFound } from './outcomes.js';

export const MAX_WAIT_SECONDS = 30;
export const MAX_CLAIM_COUNT = 100;

async function claimOnce(ctx: BrokerContext, workerId: string, count: number): Promise<WorkTask[]> {
  const nowMs = ctx.now();
  const r = await ctx.store.claimTasks(workerId, count, nowMs, ctx.rules);
  if (r.outcome === 'worker_not_found') throw workerNotFound(workerId);
  for (const t of r.tasks) ctx.metrics.started(t.queue, nowMs - t.runAtMs);
  return r.tasks;
}

/** Up to `count` tasks; with waitSeconds > 0, waits for work until then (or until shutdown). */
export async function claimTasks(ctx: BrokerContext, workerId: string, count: number, waitSeconds: number): Promise<WorkTask[]> {
  let mark = ctx.waiters.mark();
  const first = await claimOnce(ctx, workerId, count);
  if (first.length || waitSeconds <= 0) return first;
  const deadlineMs = Date.now() + waitSeconds * 1000;
  const worker = await ctx.store.getWorker(workerId);
  if (!worker) throw workerNotFound(workerId);
  while (Date.now() < deadlineMs && !ctx.waiters.isClosed) {
    await ctx.waiters.wait(worker.queues, deadlineMs, mark);
    if (ctx.waiters.isClosed) break;
    mark = ctx.waiters.mark();
    const tasks = await claimOnce(ctx, workerId, count);
    if (tasks.length) return tasks;
  }
  return [];
}
