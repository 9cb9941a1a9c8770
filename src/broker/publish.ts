// Publishing: route each event by interest, then store it with all its copies in one transition.
import { createHash, randomUUID } from 'node:crypto';
import { configure } from 'safe-stable-stringify';
import type { BrokerContext } from './context.js';
import type { NewEvent } from '../store/store.js';
import { routeEvent } from '../routing/match.js';

const canonicalJson = configure({ deterministic: true });

export interface PublishInput {
  publisher: string;
  data: Record<string, unknown>;
  runAt?: number | null;
  delay?: number;
  scope?: 'any' | 'all';
  singularlyEnqueue?: boolean;
  singularlyRun?: boolean;
  uniqueKey?: string;
  priority?: number;
  maxAttempts?: number;
}

export interface PublishAnswer {
  eventId: string;
  status: 'enqueued' | 'scheduled' | 'discarded';
  tasks: { taskId: string; queue: string }[];
  deduplicated: string[];
}

/** Default key for singularlyEnqueue/singularlyRun: a hash of data's canonical JSON. */
export function defaultUniqueKey(data: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(data) ?? '').digest('hex').slice(0, 32);
}

function runAtMsOf(input: PublishInput, nowMs: number): number {
  if (input.runAt !== undefined && input.runAt !== null) return Math.round(input.runAt * 1000);
  if (input.delay !== undefined) return nowMs + Math.round(input.delay * 1000);
  return nowMs;
}

/** Routes and stores a batch of events atomically (all or none); one answer per event, in order. */
export async function publishEvents(ctx: BrokerContext, inputs: PublishInput[]): Promise<PublishAnswer[]> {
  const interests = await ctx.interests.current();
  const nowMs = ctx.now();
  const routed = inputs.map((input): NewEvent => {
    const keyed = input.singularlyEnqueue === true || input.singularlyRun === true || input.uniqueKey !== undefined;
    return {
      eventId: randomUUID(),
      publisher: input.publisher,
      data: input.data,
      runAtMs: runAtMsOf(input, nowMs),
      priority: input.priority ?? 0,
      scope: input.scope ?? 'any',
      singularlyEnqueue: input.singularlyEnqueue === true,
      singularlyRun: input.singularlyRun === true,
      uniqueKey: keyed ? (input.uniqueKey ?? defaultUniqueKey(input.data)) : null,
      maxAttempts: input.maxAttempts ?? null,
      routes: routeEvent(interests, input.data),
    };
  });
  const toStore = routed.filter((e) => e.routes.length > 0);
  const stored = toStore.length ? await ctx.store.publishEvents(toStore, nowMs) : [];
  const byId = new Map(stored.map((s) => [s.eventId, s]));
  const touched = new Set<string>();
  const answers = routed.map((e): PublishAnswer => {
    const s = byId.get(e.eventId);
    ctx.metrics.published(s ? 'stored' : 'discarded');
    if (!s) return { eventId: e.eventId, status: 'discarded', tasks: [], deduplicated: [] };
    for (const t of s.tasks) touched.add(t.queue);
    return {
      eventId: e.eventId,
      status: e.runAtMs > nowMs ? 'scheduled' : 'enqueued',
      tasks: s.tasks.map((t) => ({ taskId: t.taskId, queue: t.queue })),
      deduplicated: s.deduplicated,
    };
  });
  ctx.waiters.notify(touched);
  return answers;
}

/** fastPost: the caller has answered 202 already; failures are logged and counted in the store. */
export function publishInBackground(ctx: BrokerContext, inputs: PublishInput[]): void {
  publishEvents(ctx, inputs).catch(async (e: Error) => {
    ctx.log.error('fastPost publish failed', { error: e.message, events: inputs.length });
    ctx.metrics.fastPostError();
    await ctx.store.addToCounter('fast_post_errors', inputs.length).catch(() => undefined);
  });
}
