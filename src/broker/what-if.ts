// What-if: the sample of recent events (routing-records.ts, shared by every node) routed against a
// draft of one queue's interests, beside its interests now: which events the queue would gain and
// lose, and how many events would go nowhere either way.
import type { BrokerContext } from './context.js';
import type { InterestMap, LoggedEvent, MatchedInterest } from '../model.js';
import { compileInterestMap, type CompiledInterests, type CompiledQueue } from '../routing/compile.js';
import { matchQueue, routableFields, type Field } from '../routing/match.js';
import { indexOf } from '../routing/interest-index.js';

interface Example { eventId: string; publisher: string; at: number; data: Record<string, unknown>; interest: MatchedInterest | null }
const example = (e: LoggedEvent, interest: MatchedInterest | null): Example => ({ eventId: e.eventId, publisher: e.publisher, at: e.atMs / 1000, data: e.data, interest });

/** draft null: the queue without interests. */
export async function whatIf(ctx: BrokerContext, queue: string, draft: InterestMap | null, examples = 5) {
  const compiledDraft: CompiledQueue = draft === null ? { queue, all: false, pairs: [] } : compileInterestMap(queue, draft);
  // This node's latest events first, so a one-node broker answers about everything it just took.
  await ctx.records.flush().catch((e: Error) => ctx.log.warn('routing records not written before what-if', { error: e.message }));
  const [current, sample] = await Promise.all([ctx.interests.current(), ctx.store.readEvents('sample', 0)]);
  const now = current.queues.find((q) => q.queue === queue) ?? null;
  const others: CompiledInterests = { revision: current.revision, queues: current.queues.filter((q) => q !== now) };
  const gained: Example[] = [];
  const lost: Example[] = [];
  const n = { matchedNow: 0, matchedDraft: 0, gained: 0, lost: 0, unroutedNow: 0, unroutedDraft: 0 };
  for (const e of sample) {
    const fields = routableFields(e.data);
    const before = now ? matchQueue(now, fields, e.data) : null;
    const after = matchQueue(compiledDraft, fields, e.data);
    if (before) n.matchedNow++;
    if (after) n.matchedDraft++;
    if (after && !before) { n.gained++; if (gained.length < examples) gained.push(example(e, after)); }
    if (before && !after) { n.lost++; if (lost.length < examples) lost.push(example(e, before)); }
    if (!before || !after) {
      const elsewhere = anyOtherMatches(others, fields, e.data);
      if (!before && !elsewhere) n.unroutedNow++;
      if (!after && !elsewhere) n.unroutedDraft++;
    }
  }
  return {
    queue,
    sampled: sample.length,
    sampleFrom: sample.length ? sample.at(-1)!.atMs / 1000 : null,
    sampleTo: sample.length ? sample[0]!.atMs / 1000 : null,
    matchedNow: n.matchedNow,
    matchedDraft: n.matchedDraft,
    gained: { count: n.gained, examples: gained },
    lost: { count: n.lost, examples: lost },
    unrouted: { now: n.unroutedNow, draft: n.unroutedDraft },
  };
}

function anyOtherMatches(others: CompiledInterests, fields: readonly Field[], data: Record<string, unknown>): boolean {
  return indexOf(others).candidates(fields, data).some((q) => matchQueue(q, fields, data) !== null);
}
