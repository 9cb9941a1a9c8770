// Queues: interests (validated and compiled before they are stored) and policy.
import type { BrokerContext } from './context.js';
import type { InterestMap, QueuePolicy } from '../store/store.js';
import { BrokerError } from '../errors.js';
import { compileInterestMap } from '../routing/compile.js';
import { explainRouting } from '../routing/explain.js';

export async function setInterests(ctx: BrokerContext, queue: string, interests: InterestMap) {
  compileInterestMap(queue, interests); // throws pattern_invalid naming each refused pattern
  const revision = await ctx.store.setInterests(queue, interests, ctx.now());
  return { queue, interests, revision };
}

export async function removeInterests(ctx: BrokerContext, queue: string) {
  if (!(await ctx.store.removeInterests(queue))) throw new BrokerError('queue_not_found', `no queue ${JSON.stringify(queue)}`);
  return { queue, interests: null };
}

export async function deleteQueue(ctx: BrokerContext, queue: string) {
  const r = await ctx.store.deleteQueue(queue);
  if (!r) throw new BrokerError('queue_not_found', `no queue ${JSON.stringify(queue)}`);
  return { queue, deleted: true, waitingTasksDeleted: r.waitingTasksDeleted };
}

export async function updateQueuePolicy(ctx: BrokerContext, queue: string, patch: Partial<QueuePolicy>) {
  if (patch.backoffSeconds !== undefined && patch.maxBackoffSeconds !== undefined && patch.maxBackoffSeconds < patch.backoffSeconds) {
    throw new BrokerError('invalid_input', 'maxBackoffSeconds must be at least backoffSeconds', [{ field: 'maxBackoffSeconds' }]);
  }
  const policy = await ctx.store.updateQueuePolicy(queue, patch, ctx.now());
  if (patch.paused === false || patch.concurrency !== undefined || patch.rateLimit !== undefined) ctx.waiters.notify([queue]);
  return policy;
}

/** Which queues an event would reach, and why or why not: nothing is stored. A draft map, when
 *  given, stands in for that queue's stored one (the page tests an edit before saving it). */
export async function dryRunRouting(ctx: BrokerContext, data: Record<string, unknown>, draft?: { queue: string; interests: InterestMap }) {
  const current = await ctx.interests.current();
  const queues = draft
    ? [...current.queues.filter((q) => q.queue !== draft.queue), compileInterestMap(draft.queue, draft.interests)]
    : current.queues;
  return { revision: current.revision, queues: explainRouting({ revision: current.revision, queues }, data) };
}
