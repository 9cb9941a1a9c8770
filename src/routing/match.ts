// Routes an event: a queue is interested when, for any of its pairs, some field of data (by dot path)
// has a name matching keyPattern and a value whose text matches valuePattern.
import type { RouteInfo } from '../model.js';
import { BrokerError } from '../errors.js';
import { flattenFields, type Field } from '../fields.js';
export { flattenFields, hasFieldText, type Field } from '../fields.js';
import type { CompiledInterests, CompiledQueue } from './compile.js';

/** The first pair of the queue that matches, or null. */
export function matchQueue(q: CompiledQueue, fields: readonly Field[]): RouteInfo['interest'] | null {
  if (q.all) return '*';
  for (const pair of q.pairs) {
    for (const [path, text] of fields) {
      if (pair.key.test(path) && pair.value.test(text)) return { field: path, keyPattern: pair.keyPattern, valuePattern: pair.valuePattern };
    }
  }
  return null;
}

/** Value text an interest sees: the first 4 KiB of a field (patterns run in time linear in the text,
 *  times the pattern's size; this bounds the text). */
export const FIELD_TEXT_MAX_CHARS = 4096;

/** Routing one event may take this long before it is refused (routing_too_costly) instead of
 *  holding the event loop (and every other request) meanwhile. */
export const DEFAULT_ROUTING_BUDGET_MS = 100;

export function routeEvent(interests: CompiledInterests, data: Record<string, unknown>, budgetMs = DEFAULT_ROUTING_BUDGET_MS): { queue: string; route: RouteInfo }[] {
  const fields = flattenFields(data).map(([p, text]): Field => [p, text.length > FIELD_TEXT_MAX_CHARS ? text.slice(0, FIELD_TEXT_MAX_CHARS) : text]);
  const routes: { queue: string; route: RouteInfo }[] = [];
  const deadline = performance.now() + budgetMs;
  for (const q of interests.queues) {
    const interest = matchQueue(q, fields);
    if (interest) routes.push({ queue: q.queue, route: { revision: interests.revision, interest } });
    if (performance.now() > deadline) {
      throw new BrokerError('routing_too_costly', `routing this event took over ${budgetMs} ms (${fields.length} fields against ${interests.queues.length} queues' interests): send fewer or shorter fields, or simplify the interests`);
    }
  }
  return routes;
}
