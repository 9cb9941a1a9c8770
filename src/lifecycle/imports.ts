// Moving a broker's state into another store (GET /export, POST /import): which tasks move, and
// what one becomes on arrival, decided once for both stores.
import type { TaskRecord } from '../model.js';
import type { TaskState } from './states.js';
import { targetOnReturn } from './transitions.js';

/** The tasks an export carries: waiting, started and failed. Succeeded and cancelled ones are
 *  history the store prunes anyway. */
export const EXPORTED_STATES: readonly TaskState[] = ['scheduled', 'ready', 'started', 'failed'];

/** An arriving task as it is stored. Workers do not move (they register again with the new broker),
 *  so a copy made for one worker becomes a copy for any worker of its queue, as when its worker is
 *  gone; a started task keeps its worker and lease, and returns to ready when the lease runs out. */
export function asImported(t: TaskRecord): TaskRecord {
  return { ...t, targetWorkerId: targetOnReturn(t.targetWorkerId, t.queue, null).targetWorkerId };
}

/** When a started task's attempt began: its history's last start (the store keeps it for task times). */
export function startedAtOf(t: TaskRecord, nowMs: number): number {
  for (let i = t.history.length - 1; i >= 0; i--) if (t.history[i]!.what === 'started') return t.history[i]!.atMs;
  return nowMs;
}
