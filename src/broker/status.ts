// Status answers (GET /status and its parts), built from store reads only.
import type { BrokerContext } from './context.js';
import { BrokerError } from '../errors.js';
import type { QueueSummary } from '../model.js';
import { heldBy, isPushed, taskHeldBy } from '../lifecycle/limits.js';
import { listSchedules } from './schedules.js';
import { routingWarnings, unmatchedInterests, UNMATCHED_AFTER_MS, type RoutingWarning } from '../routing/health.js';

const THROUGHPUT_MINUTES = 15;

/** heldBy: why the queue hands out nothing now (paused, concurrency, rateLimit), or null. */
export const held = (q: QueueSummary, nowMs: number) => heldBy({ policy: q.policy, started: q.counts.started, rate: q.rate }, nowMs);
const brief = (q: QueueSummary, nowMs: number) => ({ name: q.name, length: q.counts.ready + q.counts.scheduled, counts: q.counts, paused: q.policy.paused, heldBy: held(q, nowMs) });

/** Every queue's summary (the pusher looks for push queues in them). */
export function queueSummaries(ctx: BrokerContext): Promise<QueueSummary[]> {
  return ctx.store.queueSummaries();
}

export async function overview(ctx: BrokerContext) {
  const nowMs = ctx.now();
  const [queues, workers, hour, fastPostErrors, schedules, matches, unrouted] = await Promise.all([
    ctx.store.queueSummaries(), ctx.store.listWorkers(),
    ctx.store.throughput(nowMs - UNMATCHED_AFTER_MS, nowMs), ctx.store.counter('fast_post_errors'), listSchedules(ctx),
    ctx.store.interestMatches(), ctx.store.countEvents('unrouted'),
  ]);
  const minutes = hour.filter((m) => m.minuteMs >= nowMs - THROUGHPUT_MINUTES * 60_000);
  const eventsLastHour = hour.reduce((n, m) => n + m.published, 0);
  return {
    queues: queues.map((q) => brief(q, nowMs)),
    workers: workers.length,
    failed: queues.reduce((n, q) => n + q.counts.failed, 0),
    fastPostErrors,
    unrouted,
    throughput: { minutes: minutes.map(({ minuteMs, ...n }) => ({ minute: minuteMs / 1000, ...n })) },
    schedules: schedules.map((s) => ({ name: s.name, paused: s.paused, nextRunAt: s.nextRunsMs[0] === undefined ? null : s.nextRunsMs[0] / 1000 })),
    warnings: [...routingWarnings(queues, workers), ...await olderThanAnHour(ctx, unmatchedInterests(queues, matches, eventsLastHour, nowMs), nowMs)],
  };
}

/** Queues whose latest interest change this looks up, at most, per overview. */
const UNMATCHED_QUEUES_LOOKED_UP = 50;

/** The unmatched warnings of interests set over an hour ago (younger ones had no hour to match in). */
async function olderThanAnHour(ctx: BrokerContext, warnings: RoutingWarning[], nowMs: number): Promise<RoutingWarning[]> {
  const queues = [...new Set(warnings.map((w) => w.queue))].slice(0, UNMATCHED_QUEUES_LOOKED_UP);
  const changed = new Map(await Promise.all(queues.map(async (q) => [q, (await ctx.store.interestHistory(q, 1, 0)).changes[0]?.atMs ?? 0] as const)));
  return warnings.filter((w) => changed.has(w.queue) && changed.get(w.queue)! <= nowMs - UNMATCHED_AFTER_MS);
}

export async function queueStatus(ctx: BrokerContext, queue: string) {
  const [q] = await ctx.store.queueSummaries(queue);
  if (!q) throw new BrokerError('queue_not_found', `no queue ${JSON.stringify(queue)}`);
  return { queue: q.name, length: q.counts.ready + q.counts.scheduled, counts: q.counts, heldBy: held(q, ctx.now()), policy: q.policy, interests: q.interests };
}

/** Paging for the queue list: the page shows 1,000 queues a screen at a time, by name. */
export interface QueuePage { match?: string; limit?: number; offset?: number }

export async function queuesStatus(ctx: BrokerContext, page: QueuePage = {}) {
  const nowMs = ctx.now();
  let all = await ctx.store.queueSummaries();
  if (page.match !== undefined) all = all.filter((q) => q.name.includes(page.match!));
  all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const offset = page.offset ?? 0;
  const shown = page.limit === undefined ? all.slice(offset) : all.slice(offset, offset + page.limit);
  return { total: all.length, queues: shown.map((q) => brief(q, nowMs)) };
}

/** Per-minute counts for the last `minutes`: all queues added up, or one series per named queue. */
export async function throughputStatus(ctx: BrokerContext, minutes: number, queues?: string[]) {
  const nowMs = ctx.now();
  const sinceMs = nowMs - minutes * 60_000;
  const series = (list: Awaited<ReturnType<typeof ctx.store.throughput>>) => list.map(({ minuteMs, ...n }) => ({ minute: minuteMs / 1000, ...n }));
  if (!queues) return { minutes: series(await ctx.store.throughput(sinceMs, nowMs)) };
  const lists = await Promise.all(queues.map((q) => ctx.store.throughput(sinceMs, nowMs, q)));
  return { queues: Object.fromEntries(queues.map((q, i) => [q, series(lists[i]!)])) };
}

export async function interestsStatus(ctx: BrokerContext) {
  const [loaded, matches] = await Promise.all([ctx.store.loadInterests(), ctx.store.interestMatches()]);
  // Each queue's match counts, by interest (routing/health.ts interestKey), on every node.
  const counted: Record<string, Record<string, { count: number; lastMatchAt: number }>> = {};
  for (const m of matches) (counted[m.queue] ??= {})[m.interest] = { count: m.count, lastMatchAt: m.lastMatchMs / 1000 };
  return { revision: loaded.revision, interests: Object.fromEntries(loaded.queues.map((q) => [q.queue, q.interests])), matches: counted };
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

/** Started tasks read to find one holding a singularlyRun key: a status read, bounded. */
const KEY_SCAN_LIMIT = 1000;

/** The task, and (while it waits) why it is not handed out: heldBy (lifecycle/limits.ts taskHeldBy). */
export async function taskStatus(ctx: BrokerContext, taskId: string) {
  const t = await ctx.store.getTask(taskId);
  if (!t) throw new BrokerError('task_not_found', `no task ${JSON.stringify(taskId)}`);
  if (t.state !== 'ready' && t.state !== 'scheduled') return { task: t, heldBy: null };
  const [[q], workers, started] = await Promise.all([
    ctx.store.queueSummaries(t.queue), ctx.store.listWorkers(),
    t.singularlyRun && t.uniqueKey !== null ? ctx.store.listTasks(t.queue, 'started', KEY_SCAN_LIMIT, 0) : null,
  ]);
  const queue = {
    policy: q?.policy ?? { paused: false, concurrency: null, rateLimit: null }, started: q?.counts.started ?? 0, rate: q?.rate ?? null,
    pushed: q ? isPushed(q.policy) : false, workerIds: workers.filter((w) => w.queues.includes(t.queue)).map((w) => w.workerId),
  };
  const keyStarted = started?.tasks.some((s) => s.uniqueKey === t.uniqueKey) ?? false;
  return { task: t, heldBy: taskHeldBy({ task: t, queue, keyStarted }, ctx.now()) };
}
