// Reporting: success, fail (retry by policy or the failed queue) and progress (lease extension).
// Each kind is one batch transition of the store; a batch of mixed reports applies each on its own,
// and the answers come back in the order the reports were given.
import type { BrokerContext } from './context.js';
import type { Report, ReportOutcome, ReportResult } from '../model.js';
import { workerNotFound } from './outcomes.js';

/** Applies reports; one outcome per report, in order. Throws only for an unknown worker. */
export async function reportTasks(ctx: BrokerContext, workerId: string, reports: Report[]): Promise<ReportOutcome[]> {
  const nowMs = ctx.now();
  const at = { success: [] as number[], fail: [] as number[], progress: [] as number[] };
  reports.forEach((r, i) => at[r.state].push(i));
  const of = (kind: keyof typeof at) => at[kind].map((i) => reports[i]!);
  const none: Promise<ReportResult> = Promise.resolve({ outcome: 'ok', reports: [] });
  const [done, failed, extended] = await Promise.all([
    at.success.length ? ctx.store.completeTasks(workerId, of('success'), nowMs) : none,
    // The retry jitter is drawn here, so the stores apply lifecycle/ rules without rolling dice.
    at.fail.length ? ctx.store.failTasks(workerId, of('fail').map((r) => ({ ...r, draw: Math.random() })), nowMs, ctx.rules) : none,
    at.progress.length ? ctx.store.extendLeases(workerId, of('progress').map((r) => r.taskId), nowMs, ctx.rules) : none,
  ]);
  const outcomes: ReportOutcome[] = new Array(reports.length);
  for (const [kind, result] of [['success', done], ['fail', failed], ['progress', extended]] as const) {
    if (result.outcome === 'worker_not_found') throw workerNotFound(workerId);
    result.reports.forEach((o, k) => { outcomes[at[kind][k]!] = o; });
  }
  const reEnqueued = new Set<string>();
  for (const o of outcomes) {
    if (o.outcome !== 'ok' || o.state === 'started') continue;
    // A failed attempt that will run again is a retry; one that will not, a failure.
    ctx.metrics.finished(o.queue, o.state === 'succeeded' ? 'succeeded' : o.state === 'failed' ? 'failed' : 'retried', nowMs - o.startedAtMs);
    if (o.reEnqueuedTaskId || o.state === 'ready') reEnqueued.add(o.queue);
  }
  ctx.waiters.notify(reEnqueued);
  return outcomes;
}
