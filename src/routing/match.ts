// Routes an event: a queue is interested when, for any of its pairs, some field of data (by dot path)
// has a name matching keyPattern and a value whose text matches valuePattern; or, in the clause form,
// when all the conditions of any one clause hold (clauses.ts).
import type { MatchedInterest, RouteInfo } from '../model.js';
import { BrokerError } from '../errors.js';
import { flattenFields, type Field } from '../fields.js';
export { flattenFields, hasFieldText, type Field } from '../fields.js';
import type { CompiledInterests, CompiledQueue } from './compile.js';
import { matchClauses } from './clauses.js';
import { FIELD_TEXT_MAX_CHARS } from './pattern-safety.js';
import { indexOf } from './interest-index.js';

/** The first pair (or clause) of the queue that matches, or null. */
export function matchQueue(q: CompiledQueue, fields: readonly Field[], data: Record<string, unknown>): MatchedInterest | null {
  if (q.all) return '*';
  if (q.clauses) return matchClauses(q.clauses, data);
  for (const pair of q.pairs) {
    for (const [path, text] of fields) {
      if (pair.key.test(path) && pair.value.test(text)) return { field: path, keyPattern: pair.keyPattern, valuePattern: pair.valuePattern };
    }
  }
  return null;
}

export { FIELD_TEXT_MAX_CHARS } from './pattern-safety.js';

/** The fields interests are matched against: every field whose value is at most FIELD_TEXT_MAX_CHARS. */
export const routableFields = (data: Record<string, unknown>): Field[] => flattenFields(data, FIELD_TEXT_MAX_CHARS);

/** Routing one event may take this long before it is refused (routing_too_costly) instead of
 *  holding the event loop (and every other request) meanwhile. */
export const DEFAULT_ROUTING_BUDGET_MS = 100;

export function routeEvent(interests: CompiledInterests, data: Record<string, unknown>, budgetMs = DEFAULT_ROUTING_BUDGET_MS): { queue: string; route: RouteInfo }[] {
  const fields = routableFields(data);
  const routes: { queue: string; route: RouteInfo }[] = [];
  const deadline = performance.now() + budgetMs;
  // Only the queues whose filed literals this event's texts meet, and those that cannot be filed.
  const candidates = indexOf(interests).candidates(fields, data);
  for (const q of candidates) {
    const interest = matchQueue(q, fields, data);
    if (interest) routes.push({ queue: q.queue, route: { revision: interests.revision, interest } });
    if (performance.now() > deadline) {
      throw new BrokerError('routing_too_costly', `routing this event took over ${budgetMs} ms (${fields.length} fields against ${candidates.length} queues' interests): send fewer or shorter fields, or simplify the interests`);
    }
  }
  return routes;
}

/** A publish that names its queue: one copy there, whatever the interests say. */
export const directRoute = (queue: string, revision: number): { queue: string; route: RouteInfo } => ({ queue, route: { revision, interest: 'direct' } });
