// Publishing: route each event by interest, then store it with all its copies in one transition.
import { createHash } from 'node:crypto';
import { timeOrderedId } from '../ids.js';
import { configure } from 'safe-stable-stringify';
import type { BrokerContext } from './context.js';
import { type NewEvent, type PublishedEvent } from '../model.js';
import type { CompiledInterests } from '../routing/compile.js';
import { directRoute, routeEvent } from '../routing/match.js';
import { BrokerError, StoreUnavailableError } from '../errors.js';

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
  idempotencyKey?: string;
  /** Straight into this queue, bypassing interests. */
  queue?: string;
  /** W3C traceparent: the event's own, else the request's header (routes/task.ts). */
  traceparent?: string;
  /** Its own push target: only into queues whose policy has allowTaskPushUrl. */
  pushUrl?: string;
  /** Set by the broker itself (a schedule's tick), never from a request: kept in the tasks' history. */
  origin?: Record<string, unknown>;
  /** Set by the broker itself (a replay of an unrouted event keeps its id), never from a request. */
  eventId?: string;
  /** How long this idempotencyKey is remembered, when not SWITCHYARD_IDEMPOTENCY_TTL. */
  idempotencyTtlSeconds?: number;
}

export interface PublishAnswer {
  eventId: string;
  status: 'enqueued' | 'scheduled' | 'discarded';
  tasks: { taskId: string; queue: string }[];
  deduplicated: string[];
  /** The same publisher sent this idempotencyKey and event before: this is the first answer. */
  replayed?: true;
}

/** Default key for singularlyEnqueue/singularlyRun: a hash of data's canonical JSON. */
export function defaultUniqueKey(data: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(data) ?? '').digest('hex').slice(0, 32);
}

export function runAtMsOf(input: Pick<PublishInput, 'runAt' | 'delay'>, nowMs: number): number {
  if (input.runAt !== undefined && input.runAt !== null) return Math.round(input.runAt * 1000);
  if (input.delay !== undefined) return nowMs + Math.round(input.delay * 1000);
  return nowMs;
}

/** What a repeated idempotencyKey must match: the whole event but the key itself. */
function bodyHash(input: PublishInput): string {
  // origin may differ between nodes firing one tick (one counts a missed tick, one does not).
  // Nor the trace: a retry may come from a new span.
  const { idempotencyKey: _key, origin: _origin, idempotencyTtlSeconds: _ttl, traceparent: _trace, ...body } = input;
  return createHash('sha256').update(canonicalJson(body) ?? '').digest('hex');
}

/** Routes and stores a batch of events atomically (all or none); one answer per event, in order. */
export async function publishEvents(ctx: BrokerContext, inputs: PublishInput[]): Promise<PublishAnswer[]> {
  const nowMs = ctx.now();
  // Routed with the cached maps, whose revision the store checks inside the same write: reading the
  // revision before every publish was 9% of one. A change on any node means reload and route again.
  let interests = await ctx.interests.cached();
  for (let attempt = 1; ; attempt++) {
    const routed = inputs.map((input) => routedEvent(ctx, input, interests, nowMs));
    await checkTaskPushUrls(ctx, routed);
    const tooLarge = hugeFanOut(routed, { ...DEFAULT_FAN_OUT, ...ctx.settings.fanOut });
    if (tooLarge) {
      // Refused only on current interests: the cached ones may still hold queues since removed.
      const current = await ctx.interests.current();
      if (current.revision !== interests.revision) { interests = current; continue; }
      throw tooLarge;
    }
    // A discarded event is stored only when it has a key: its replay must answer "discarded" too.
    const toStore = routed.filter((e) => e.routes.length > 0 || e.idempotency !== null);
    if (!toStore.length) {
      // Nothing to write, so nothing checks the revision: read it, since discarding is final.
      const current = await ctx.interests.current();
      if (current.revision !== interests.revision) { interests = current; continue; }
      await record(ctx, inputs, routed, new Map(), nowMs);
      return answer(ctx, routed, toStore, [], nowMs);
    }
    const result = await ctx.store.publishEvents(toStore, nowMs, interests.revision);
    if (result.outcome === 'interests_changed') {
      if (attempt >= MAX_ROUTING_ATTEMPTS) {
        throw new StoreUnavailableError(`interests kept changing while publishing (${attempt} attempts); try again`);
      }
      interests = await ctx.interests.reload();
      continue;
    }
    if (result.outcome === 'idempotency_conflict') {
      const ev = toStore[result.index]!;
      throw new BrokerError('idempotency_conflict',
        `idempotencyKey ${JSON.stringify(result.key)} of publisher ${JSON.stringify(ev.publisher)} was used before with a different event; nothing was stored`,
        [{ event: routed.indexOf(ev), idempotencyKey: result.key }]);
    }
    await record(ctx, inputs, routed, new Map(toStore.map((e, i) => [e, result.events[i]!])), nowMs);
    return answer(ctx, routed, toStore, result.events, nowMs);
  }
}

/** What routing leaves behind (routing-records.ts): events no queue wanted are kept before the
 *  answer; the sample is gathered for the next flush (match counts are, in answer()). Not for repeats. */
async function record(ctx: BrokerContext, inputs: PublishInput[], routed: NewEvent[], stored: Map<NewEvent, PublishedEvent>, nowMs: number): Promise<void> {
  const fresh = routed.filter((e, i) => inputs[i]!.queue === undefined && !stored.get(e)?.replayed);
  ctx.records.sampled(fresh, nowMs);
  await ctx.records.keepUnrouted(fresh.filter((e) => e.routes.length === 0), nowMs);
}

const MAX_ROUTING_ATTEMPTS = 5;

/** Copies one event, and one request, may make (settings; these are the defaults): 200,000 copies in
 *  one write held the file's lock from every other process for seconds. Their payload bytes need no
 *  cap of their own: copies share a payload of any size (lifecycle/copies.ts sharesPayload). */
export const DEFAULT_FAN_OUT = { maxCopiesPerEvent: 1000, maxCopiesPerRequest: 10_000 } as const;

/** Why these events make too many copies, or null. A queue's copies count as one (scope all makes
 *  one per worker of the queue, counted by the store). */
function hugeFanOut(routed: NewEvent[], limits: { maxCopiesPerEvent: number; maxCopiesPerRequest: number }): BrokerError | null {
  const { maxCopiesPerEvent, maxCopiesPerRequest } = limits;
  let total = 0;
  for (const [i, e] of routed.entries()) {
    if (e.routes.length > maxCopiesPerEvent) {
      return new BrokerError('fan_out_too_large', `event ${i} would make ${e.routes.length} copies (one per interested queue); at most ${maxCopiesPerEvent} an event (SWITCHYARD_MAX_COPIES)`);
    }
    total += e.routes.length;
  }
  if (total > maxCopiesPerRequest) {
    return new BrokerError('fan_out_too_large', `these events would make ${total} copies; at most ${maxCopiesPerRequest} a request (SWITCHYARD_MAX_COPIES_PER_REQUEST): send them in smaller batches`);
  }
  return null;
}

/** A task's own pushUrl goes only into queues whose policy allows one (allowTaskPushUrl), and never
 *  to an internal address (the same guard as a queue's pushUrl). */
async function checkTaskPushUrls(ctx: BrokerContext, routed: NewEvent[]): Promise<void> {
  if (!routed.some((e) => e.pushUrl !== null)) return;
  const allows = new Map<string, boolean>();
  for (const url of new Set(routed.flatMap((e) => (e.pushUrl === null ? [] : [e.pushUrl])))) await ctx.pushTargets.check(url);
  for (const [i, e] of routed.entries()) {
    if (e.pushUrl === null) continue;
    for (const { queue } of e.routes) {
      if (!allows.has(queue)) allows.set(queue, (await ctx.store.getQueuePolicy(queue))?.allowTaskPushUrl === true);
      if (!allows.get(queue)) {
        throw new BrokerError('invalid_input', `event ${i} names its own pushUrl, which queue ${JSON.stringify(queue)} does not take (PATCH /queue allowTaskPushUrl: true); nothing was stored`,
          [{ event: i, queue, field: 'pushUrl', message: 'the queue does not allow a task\'s own pushUrl' }]);
      }
    }
  }
}

function routedEvent(ctx: BrokerContext, input: PublishInput, interests: CompiledInterests, nowMs: number): NewEvent {
  const keyed = input.singularlyEnqueue === true || input.singularlyRun === true || input.uniqueKey !== undefined;
  return {
    eventId: input.eventId ?? timeOrderedId(),
    publisher: input.publisher,
    data: input.data,
    runAtMs: runAtMsOf(input, nowMs),
    priority: input.priority ?? 0,
    scope: input.scope ?? 'any',
    singularlyEnqueue: input.singularlyEnqueue === true,
    singularlyRun: input.singularlyRun === true,
    uniqueKey: keyed ? (input.uniqueKey ?? defaultUniqueKey(input.data)) : null,
    maxAttempts: input.maxAttempts ?? null,
    routes: input.queue === undefined ? routeEvent(interests, input.data) : [directRoute(input.queue, interests.revision)],
    idempotency: input.idempotencyKey === undefined ? null
      : { key: input.idempotencyKey, bodyHash: bodyHash(input), expiresAtMs: nowMs + (input.idempotencyTtlSeconds ?? ctx.settings.idempotencyTtlSeconds) * 1000 },
    ...(input.origin ? { origin: input.origin } : {}),
    traceparent: input.traceparent ?? null,
    pushUrl: input.pushUrl ?? null,
  };
}

/** The answers, once stored; wakes the long polls the new tasks are for. */
function answer(ctx: BrokerContext, routed: NewEvent[], toStore: NewEvent[], events: PublishedEvent[], nowMs: number): PublishAnswer[] {
  const stored = new Map(toStore.map((e, i) => [e, events[i]!]));
  // Ready copies wake that many waiting claims; a copy for one worker (scope all) wakes its queue's every waiter.
  const readyByQueue = new Map<string, number>();
  const targeted = new Set<string>();
  if (ctx.tap.active) ctx.tap.published(routed.filter((e) => !stored.get(e)?.replayed), ctx.now());
  const answers = routed.map((e): PublishAnswer => {
    const s = stored.get(e);
    ctx.metrics.published(s?.replayed ? 'replayed' : s && s.status !== 'discarded' ? 'stored' : 'discarded');
    if (!s) return { eventId: e.eventId, status: 'discarded', tasks: [], deduplicated: [] };
    if (!s.replayed) {
      for (const r of e.routes) {
        if (r.route.interest === 'direct') continue;
        ctx.metrics.interestMatched(r.queue, r.route.interest);
        ctx.records.matched(r.queue, r.route.interest, nowMs);
      }
      for (const t of s.tasks) {
        ctx.metrics.tasksPublished(t.queue, 1);
        if (t.targetWorkerId !== null) targeted.add(t.queue);
        else if (t.state === 'ready') readyByQueue.set(t.queue, (readyByQueue.get(t.queue) ?? 0) + 1);
      }
    }
    return {
      eventId: s.eventId,
      status: s.status,
      tasks: s.tasks.map((t) => ({ taskId: t.taskId, queue: t.queue })),
      deduplicated: s.deduplicated,
      ...(s.replayed ? { replayed: true as const } : {}),
    };
  });
  ctx.waiters.offer(readyByQueue);
  if (targeted.size) ctx.waiters.notify(targeted);
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
