// Working: hand a worker its next tasks, optionally long-polling until some arrive.
import type { BrokerContext } from './context.js';
import type { WorkTask } from '../model.js';
import { workerNotFound } from './outcomes.js';
import { claimQueues } from '../lifecycle/claims.js';

export const MAX_WAIT_SECONDS = 30;
export const MAX_CLAIM_COUNT = 100;

async function claimOnce(ctx: BrokerContext, workerId: string, count: number, only?: readonly string[]): Promise<WorkTask[]> {
  const nowMs = ctx.now();
  const r = await ctx.store.claimTasks(workerId, count, nowMs, ctx.rules, only);
  if (r.outcome === 'worker_not_found') throw workerNotFound(workerId);
  for (const t of r.tasks) ctx.metrics.started(t.queue, nowMs - t.runAtMs);
  return r.tasks;
}

/** Aborts when the client hangs up; asked for only by a claim that is going to wait (most claims
 *  find a task at once, and a signal and a close listener for each were 2–3% of a drain's CPU). */
export type HangUp = () => AbortSignal;

/** Up to `count` tasks; with waitSeconds > 0, waits for work until then, until shutdown, until the
 *  client hangs up (`gone`), or until the same worker polls again on this node. A poll that ends
 *  early claims nothing more: a task taken for a client that is gone would sit leased to nobody. */
export async function claimTasks(ctx: BrokerContext, workerId: string, count: number, waitSeconds: number, gone?: HangUp, only?: readonly string[]): Promise<WorkTask[]> {
  let mark = ctx.waiters.mark();
  const first = await claimOnce(ctx, workerId, count, only);
  if (first.length || waitSeconds <= 0) return first;
  const hungUp = gone?.();
  if (hungUp?.aborted) return first;
  const deadlineMs = Date.now() + waitSeconds * 1000;
  const worker = await ctx.store.getWorker(workerId);
  if (!worker) throw workerNotFound(workerId);
  const poll = ctx.waiters.beginPoll(workerId, hungUp);
  try {
    while (Date.now() < deadlineMs && !ctx.waiters.isClosed && !poll.signal.aborted) {
      await ctx.waiters.wait(claimQueues(worker.queues, only), deadlineMs, mark, poll.signal);
      if (ctx.waiters.isClosed || poll.signal.aborted) break;
      mark = ctx.waiters.mark();
      const tasks = await claimOnce(ctx, workerId, count, only);
      if (tasks.length) return tasks;
    }
    return [];
  } finally {
    poll.done();
  }
}
