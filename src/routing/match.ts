// Routes an event: a queue is interested when, for any of its pairs, some field of data (by dot path)
// has a name matching keyPattern and a value whose text matches valuePattern.
import type { RouteInfo } from '../model.js';
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

export function routeEvent(interests: CompiledInterests, data: Record<string, unknown>): { queue: string; route: RouteInfo }[] {
  const fields = flattenFields(data);
  const routes: { queue: string; route: RouteInfo }[] = [];
  for (const q of interests.queues) {
    const interest = matchQueue(q, fields);
    if (interest) routes.push({ queue: q.queue, route: { revision: interests.revision, interest } });
  }
  return routes;
}
