// Status answers (GET /status and its parts), built from store reads only.
import type { BrokerContext } from './context.js';
import { BrokerError } from '../errors.js';
import type { QueueSummary } from '../store/store.js';
import { heldBy } from '../lifecycle/limits.js';

const THROUGHPUT_MINUTES = 15;

/** heldBy: why the queue hands out nothing now (paused, concurrency, rateLimit), or null. */
const held = (q: QueueSummary, nowMs: number) => heldBy({ policy: q.policy, started: q.counts.started, rate: q.rate }, nowMs);
const brief = (q: QueueSummary, nowMs: number) => ({ name: q.name, length: q.counts.ready + q.counts.scheduled, counts: q.counts, paused: q.policy.paused, heldBy: held(q, nowMs) });

export async function overview(ctx: BrokerContext) {
  const nowMs = ctx.now();
  const [queues, workers, minutes, fastPostErrors] = await Promise.all([
    ctx.store.queueSummaries(), ctx.store.listWorkers(),
    ctx.store.throughput(nowMs - THROUGHPUT_MINUTES * 60_000), ctx.store.counter('fast_post_errors'),
  ]);
  return {
    queues: queues.map((q) => brief(q, nowMs)),
    workers: workers.length,
    failed: queues.reduce((n, q) => n + q.counts.failed, 0),
    fastPostErrors,
    throughput: { minutes: minutes.map((m) => ({ ...m, minute: m.minuteMs / 1000 })) },
  };
}

export async function queueStatus(ctx: BrokerContext, queue: string) {
  const [q] = await ctx.store.queueSummaries(queue);
  if (!q) throw new BrokerError('queue_not_found', `no queue ${JSON.stringify(queue)}`);
  return { queue: q.name, length: q.counts.ready + q.counts.scheduled, counts: q.counts, heldBy: held(q, ctx.now()), policy: q.policy, interests: q.interests };
}

export async function queuesStatus(ctx: BrokerContext) {
  const nowMs = ctx.now();
  return { queues: (await ctx.store.queueSummaries()).map((q) => brief(q, nowMs)) };
}

export async function interestsStatus(ctx: BrokerContext) {
  const loaded = await ctx.store.loadInterests();
  return { revision: loaded.revision, interests: Object.fromEntries(loaded.queues.map((q) => [q.queue, q.interests])) };
}

export async function workersStatus(ctx: BrokerContext) {
  return { workers: await ctx.store.listWorkers() };
}

export async function workerQueueStatus(ctx: BrokerContext, workerId: string) {
  const w = await ctx.store.getWorker(workerId);
  if (!w) throw new BrokerError('worker_not_found', `no worker ${JSON.stringify(workerId)}`);
  const tasks = (await Promise.all(w.tasks.map((id) => ctx.store.getTask(id)))).filter((t) => t !== null);
  return { workerId, length: tasks.length, tasks };
}

export async function taskStatus(ctx: BrokerContext, taskId: string) {
  const t = await ctx.store.getTask(taskId);
  if (!t) throw new BrokerError('task_not_found', `no task ${JSON.stringify(taskId)}`);
  return t;
}
