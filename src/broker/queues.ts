// Queues: interests (validated and compiled before they are stored) and policy.
import type { BrokerContext } from './context.js';
import type { InterestChangeBy, InterestMap, QueuePolicy } from '../model.js';
import { BrokerError } from '../errors.js';
import { roomForQueue } from './capacity.js';
import { compileInterestMap } from '../routing/compile.js';
import { explainRouting } from '../routing/explain.js';
import { runAtMsOf, type PublishInput } from './publish.js';

export async function setInterests(ctx: BrokerContext, queue: string, interests: InterestMap, by: InterestChangeBy = { who: null }) {
  compileInterestMap(queue, interests); // throws pattern_invalid naming each refused pattern
  await roomForQueue(ctx, queue);
  const { revision, created } = await ctx.store.setInterests(queue, interests, ctx.now(), by);
  return { answer: { queue, interests, revision }, created };
}

export async function removeInterests(ctx: BrokerContext, queue: string, by: InterestChangeBy = { who: null }) {
  if (!(await ctx.store.removeInterests(queue, ctx.now(), by))) throw new BrokerError('queue_not_found', `no queue ${JSON.stringify(queue)}`);
  return { queue, interests: null };
}

export function interestHistory(ctx: BrokerContext, queue: string, limit: number, offset: number) {
  return ctx.store.interestHistory(queue, limit, offset);
}

/** Puts back the interests a queue had after an earlier change (or removes them, if that change
 *  did): a new change of its own, saying which revision it restored. */
export async function rollbackInterests(ctx: BrokerContext, queue: string, revision: number, who: string | null) {
  const earlier = await ctx.store.interestChange(queue, revision);
  if (!earlier) throw new BrokerError('revision_not_found', `queue ${JSON.stringify(queue)} has no interests change of revision ${revision} (GET /interest/history lists them)`);
  const by = { who, rollbackOf: revision };
  if (earlier.interests === null) return removeInterests(ctx, queue, by);
  return (await setInterests(ctx, queue, earlier.interests, by)).answer;
}

export async function deleteQueue(ctx: BrokerContext, queue: string) {
  const r = await ctx.store.deleteQueue(queue);
  if (!r) throw new BrokerError('queue_not_found', `no queue ${JSON.stringify(queue)}`);
  await ctx.pushing?.follow(queue, null);
  return { queue, deleted: true, waitingTasksDeleted: r.waitingTasksDeleted };
}

export async function updateQueuePolicy(ctx: BrokerContext, queue: string, patch: Partial<QueuePolicy>) {
  if (patch.backoffSeconds !== undefined && patch.maxBackoffSeconds !== undefined && patch.maxBackoffSeconds < patch.backoffSeconds) {
    throw new BrokerError('invalid_input', 'maxBackoffSeconds must be at least backoffSeconds', [{ field: 'maxBackoffSeconds' }]);
  }
  if (typeof patch.pushUrl === 'string') await ctx.pushTargets.check(patch.pushUrl);
  await roomForQueue(ctx, queue);
  const r = await ctx.store.updateQueuePolicy(queue, patch, ctx.now());
  await ctx.pushing?.follow(queue, r.policy);
  if (patch.paused === false || patch.concurrency !== undefined || patch.rateLimit !== undefined) ctx.waiters.notify([queue]);
  return r;
}

/** A PUT /task body as the dry run takes it: the publisher may be left out. */
export type DryRunEvent = Omit<PublishInput, 'publisher' | 'origin' | 'idempotencyTtlSeconds'> & { publisher?: string };

/** Which queues an event would reach, why or why not, and how many copies each would get (scope
 *  all: one per worker serving the queue now, one when none does): nothing is stored. A draft map,
 *  when given, stands in for that queue's stored one (the page tests an edit before saving it).
 *  singularlyEnqueue is not checked against waiting tasks. */
export async function dryRunRouting(ctx: BrokerContext, event: DryRunEvent, draft?: { queue: string; interests: InterestMap }) {
  const [current, workers] = await Promise.all([ctx.interests.current(), event.scope === 'all' ? ctx.store.listWorkers() : []]);
  const queues = draft
    ? [...current.queues.filter((q) => q.queue !== draft.queue), compileInterestMap(draft.queue, draft.interests)]
    : current.queues;
  const copiesFor = (queue: string) => (event.scope === 'all' ? Math.max(1, workers.filter((w) => w.queues.includes(queue)).length) : 1);
  const explained = explainRouting({ revision: current.revision, queues }, event.data)
    .map((e) => ({ ...e, copies: e.matched ? copiesFor(e.queue) : 0 }));
  const copies = explained.reduce((n, e) => n + e.copies, 0);
  const nowMs = ctx.now();
  const status = copies === 0 ? 'discarded' : runAtMsOf(event, nowMs) > nowMs ? 'scheduled' : 'enqueued';
  return { revision: current.revision, status, copies, queues: explained };
}
