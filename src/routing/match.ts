// Routes an event: a queue is interested when, for any of its pairs, some field of data (by dot path)
// has a name matching keyPattern and a value whose text matches valuePattern.
import type { RouteInfo } from '../store/store.js';
import type { CompiledInterests, CompiledQueue } from './compile.js';

export type Field = readonly [path: string, text: string];

// Bounds the work one event can cause: deeper or wider payloads are routed on their first fields.
const MAX_FIELDS = 10_000;
const MAX_DEPTH = 32;

/** Leaf fields of data as [dot path, text]; numbers, booleans and null match by their text. */
export function flattenFields(data: Record<string, unknown>): Field[] {
  const out: Field[] = [];
  const walk = (value: unknown, path: string, depth: number) => {
    if (out.length >= MAX_FIELDS) return;
    if (value !== null && typeof value === 'object') {
      if (depth >= MAX_DEPTH) return;
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) walk(v, path ? `${path}.${k}` : k, depth + 1);
      return;
    }
    out.push([path, typeof value === 'string' ? value : String(value)]);
  };
  walk(data, '', 0);
  return out;
}

/** Whether data has a field at this dot path whose text is exactly value: the failed-queue filter
 *  "field = value", read the same way routing reads fields. */
export function hasFieldText(data: Record<string, unknown>, path: string, value: string): boolean {
  return flattenFields(data).some(([p, text]) => p === path && text === value);
}

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
