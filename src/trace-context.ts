// W3C Trace Context: the `traceparent` a publish carries is kept with each task it makes and handed
// on (to the worker that takes it, in push deliveries' headers), so a trace spans the queue.
// https://www.w3.org/TR/trace-context/#traceparent-header

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** The header's value when it is a valid traceparent, lowercased; otherwise null (the spec says a
 *  value that does not parse is ignored, not refused). Version ff and all-zero ids are invalid;
 *  a later version may append fields, version 00 may not. */
export function parseTraceparent(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 512) return null;
  const m = TRACEPARENT.exec(value.trim().toLowerCase());
  if (!m) return null;
  const [, version, traceId, parentId, flags, rest] = m as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff' || /^0+$/.test(traceId) || /^0+$/.test(parentId)) return null;
  if (version === '00' && rest !== undefined) return null;
  return `${version}-${traceId}-${parentId}-${flags}${rest ?? ''}`;
}

/** For a body's own `traceparent` field (a batch whose events belong to different traces). */
export const TRACEPARENT_PATTERN = '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}(-[0-9a-zA-Z._-]*)?$';
