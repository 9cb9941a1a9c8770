// An event's fields as routing and the failed queue's filter both read them: leaves by dot path
// (`user.email`, array items by index `tags.0`), each value as text (numbers, booleans and null by
// their text). One reading, so "field = value" in the failed view means what an interest means.
export type Field = readonly [path: string, text: string];

// Bounds the work one event can cause: deeper or wider payloads are read up to their first fields.
const MAX_FIELDS = 10_000;
const MAX_DEPTH = 32;

/** Leaf fields of data as [dot path, text]. */
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

/** Whether data has a field at this dot path whose text is exactly value (the failed filter "field = value"). */
export function hasFieldText(data: Record<string, unknown>, path: string, value: string): boolean {
  return flattenFields(data).some(([p, text]) => p === path && text === value);
}
