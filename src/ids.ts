// Ids of events, tasks and workers: UUIDv7 (RFC 9562), time-ordered, so each new row lands at the end
// of its SQLite index instead of on a random page. Built on node's randomUUID, which draws from a
// pooled entropy buffer: the `uuid` package's v7 asked the OS for fresh bytes per id (9% of a publish).
import { randomUUID } from 'node:crypto';

// The time part of the last millisecond's ids: a batch publish makes hundreds of ids in one
// millisecond, and formatting the time for each was half an id's cost.
let prefixMs = -1;
let prefix = '';

export function timeOrderedId(nowMs = Date.now()): string {
  if (nowMs !== prefixMs) {
    const ms = nowMs.toString(16).padStart(12, '0');
    prefix = `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7`;
    prefixMs = nowMs;
  }
  // randomUUID: xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx, variant bits already set; its version digit goes.
  return prefix + randomUUID().slice(15);
}
