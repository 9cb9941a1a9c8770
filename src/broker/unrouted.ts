// Events no queue wanted, kept for SWITCHYARD_UNROUTED_KEEP instead of vanishing: listed with the
// failed queue's filters, deleted, or replayed through the interests as they are now. A replay takes
// its events out of the log first (so two replays at once route each event once); one that still
// matches nothing is kept again by the publish itself, and a replay that fails puts its events back.
import type { BrokerContext } from './context.js';
import type { LoggedEvent } from '../model.js';
import { hasFieldText, writtenAsIsInJson } from '../fields.js';
import { publishEvents, type PublishInput, type PublishAnswer } from './publish.js';

export interface UnroutedFilter { publisher?: string; search?: string; field?: { path: string; value: string } }
export type UnroutedSelection = { eventIds: string[] } | { all: true; filter: UnroutedFilter };

/** Events one replay request publishes together (one publish each batch: all or none). */
const REPLAY_BATCH = 500;

const matches = (e: LoggedEvent, f: UnroutedFilter): boolean =>
  (f.publisher === undefined || e.publisher === f.publisher)
  && (f.search === undefined || JSON.stringify(e.data).includes(f.search))
  && (f.field === undefined || hasFieldText(e.data, f.field.path, f.field.value));

/** Texts an event matching the filter must hold in its stored JSON: the store may skip any other
 *  without parsing it (a filter over 100,000 kept events parsed them all). */
function heldTexts(f: UnroutedFilter): string[] {
  const texts: string[] = [];
  if (f.publisher !== undefined) texts.push(`"publisher":${JSON.stringify(f.publisher)}`);
  if (f.search !== undefined && f.search !== '') texts.push(f.search); // found in the data's JSON, which the event's holds
  if (f.field !== undefined && writtenAsIsInJson(f.field.value)) texts.push(f.field.value);
  return texts;
}

/** The oldest time an unrouted event is still kept. */
const keptSince = (ctx: BrokerContext) => ctx.now() - ctx.records.settings.unroutedKeepSeconds * 1000;

const kept = (ctx: BrokerContext, filter?: UnroutedFilter) => ctx.store.readEvents('unrouted', keptSince(ctx), filter ? heldTexts(filter) : []);

export const unroutedJson = (e: LoggedEvent) => ({ eventId: e.eventId, publisher: e.publisher, at: e.atMs / 1000, data: e.data });

export async function listUnrouted(ctx: BrokerContext, filter: UnroutedFilter, limit: number, offset: number) {
  const keepSeconds = ctx.records.settings.unroutedKeepSeconds;
  // Unfiltered (the page's usual view, every 2 s), the store reads the page alone.
  if (filter.publisher === undefined && filter.search === undefined && filter.field === undefined) {
    const page = await ctx.store.readEventsPage('unrouted', keptSince(ctx), limit, offset);
    return { total: page.total, keepSeconds, events: page.events.map(unroutedJson) };
  }
  const all = (await kept(ctx, filter)).filter((e) => matches(e, filter));
  return { total: all.length, keepSeconds, events: all.slice(offset, offset + limit).map(unroutedJson) };
}

async function selected(ctx: BrokerContext, sel: UnroutedSelection): Promise<LoggedEvent[]> {
  if ('eventIds' in sel) return ctx.store.readEventsById('unrouted', keptSince(ctx), sel.eventIds);
  return (await kept(ctx, sel.filter)).filter((e) => matches(e, sel.filter));
}

export async function deleteUnrouted(ctx: BrokerContext, sel: UnroutedSelection) {
  const ids = (await selected(ctx, sel)).map((e) => e.eventId);
  return { deleted: (await ctx.store.removeEvents('unrouted', ids)).length };
}

export async function replayUnrouted(ctx: BrokerContext, sel: UnroutedSelection) {
  const events = await selected(ctx, sel);
  const taken = new Set(await ctx.store.removeEvents('unrouted', events.map((e) => e.eventId)));
  const mine = events.filter((e) => taken.has(e.eventId)).reverse(); // oldest first, as they came
  const answers: PublishAnswer[] = [];
  for (let i = 0; i < mine.length; i += REPLAY_BATCH) {
    const batch = mine.slice(i, i + REPLAY_BATCH);
    try {
      answers.push(...await publishEvents(ctx, batch.map(asInput)));
    } catch (e) {
      await ctx.store.appendEvents('unrouted', mine.slice(i), ctx.records.unroutedKeep(ctx.now())).catch(() => undefined);
      throw e;
    }
  }
  const routed = answers.filter((a) => a.status !== 'discarded');
  return {
    replayed: answers.length,
    routed: routed.length,
    stillUnrouted: answers.length - routed.length,
    events: answers.map((a) => ({ eventId: a.eventId, status: a.status, tasks: a.tasks })),
  };
}

function asInput(e: LoggedEvent): PublishInput {
  const o = e.options ?? {};
  return {
    eventId: e.eventId, publisher: e.publisher, data: e.data,
    ...(o.priority !== undefined ? { priority: o.priority } : {}), ...(o.scope !== undefined ? { scope: o.scope } : {}),
    ...(o.maxAttempts != null ? { maxAttempts: o.maxAttempts } : {}), ...(o.traceparent ? { traceparent: o.traceparent } : {}),
  };
}
