// Reporting: success, fail (retry by policy or the failed queue) and progress (lease extension).
import type { BrokerContext } from './context.js';
import type { Report, ReportOutcome } from '../model.js';
import { workerNotFound } from './outcomes.js';

/** Applies reports in one transition; one outcome per report. Throws only for an unknown worker. */
export async function reportTasks(ctx: BrokerContext, workerId: string, reports: Report[]): Promise<ReportOutcome[]> {
  const nowMs = ctx.now();
  // The retry jitter is drawn here, so the stores apply lifecycle/ rules without rolling dice.
  const drawn = reports.map((rep) => (rep.state === 'fail' ? { ...rep, draw: Math.random() } : rep));
  const r = await ctx.store.reportTasks(workerId, drawn, nowMs, ctx.rules);
  if (r.outcome === 'worker_not_found') throw workerNotFound(workerId);
  const reEnqueued = new Set<string>();
  for (const o of r.reports) {
    if (o.outcome !== 'ok' || o.state === 'started') continue;
    ctx.metrics.finished(o.queue, o.state === 'succeeded' ? 'success' : 'fail', nowMs - o.startedAtMs);
    if (o.reEnqueuedTaskId || o.state === 'ready') reEnqueued.add(o.queue);
  }
  ctx.waiters.notify(reEnqueued);
  return r.reports;
}
