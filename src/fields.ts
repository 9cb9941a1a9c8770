// An event's fields as routing and the failed queue's filter both read them: leaves by dot path
// (`user.email`, array items by index `tags.0`), each value as text (numbers, booleans and null by
// their text). One reading, so "field = value" in the failed view means what an interest means.
export type Field = readonly [path: string, text: string];

// Bounds the work one event can cause: deeper or wider payloads are read up to their first fields.
const MAX_FIELDS = 10_000;
const MAX_DEPTH = 32;

/** Leaf fields of data as [dot path, text]; with maxTextChars, only those whose text is at most that
 *  long (the longer ones still count towards MAX_FIELDS). */
export function flattenFields(data: Record<string, unknown>, maxTextChars = Infinity): Field[] {
  const out: Field[] = [];
  let seen = 0;
  // Runs for every published event: a plain loop over keys, no [key, value] pair made per field.
  const walk = (value: Record<string, unknown>, path: string, depth: number): void => {
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i++) {
      if (seen >= MAX_FIELDS) return;
      const key = keys[i]!;
      const v = value[key];
      const at = path === '' ? key : `${path}.${key}`;
      if (v !== null && typeof v === 'object') {
        if (depth + 1 < MAX_DEPTH) walk(v as Record<string, unknown>, at, depth + 1);
        continue;
      }
      seen++;
      const text = typeof v === 'string' ? v : String(v);
      if (text.length <= maxTextChars) out.push([at, text]);
    }
  };
  if (data !== null && typeof data === 'object') walk(data, '', 0);
  return out;
}

/** Whether data has a field at this dot path whose text is exactly value (the failed filter "field = value"). */
export function hasFieldText(data: Record<string, unknown>, path: string, value: string): boolean {
  return flattenFields(data).some(([p, text]) => p === path && text === value);
}

/** Characters JSON.stringify writes otherwise (quotes, backslashes, controls, lone surrogates). */
const ESCAPED_IN_JSON = /["\\\u0000-\u001f\ud800-\udfff]/;

/** Whether text appears in JSON.stringify's output exactly as it is, so a payload whose field has this
 *  text holds it in its JSON too: a plain text search may then narrow a field filter first. */
export const writtenAsIsInJson = (text: string): boolean => text !== '' && !ESCAPED_IN_JSON.test(text);
