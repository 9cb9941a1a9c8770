// The one counting rule: what a task's move changes in what the store counts — tasks per queue and
// state, and the work each queue did (published, started, succeeded, failed, retried) in its totals
// and per-minute throughput. Both drivers count every move through countsOfMove, so whoever adds a
// transition counts it the same way in both.
import type { TaskState } from './states.js';

export type WorkCount = 'published' | 'started' | 'succeeded' | 'failed' | 'retried';

/** One side of a move: where a task is (its queue and state), or null when it does not exist
 *  (before a publish, after a delete). */
export type Place = { queue: string; state: TaskState } | null;

export interface MoveCounts {
  /** Tasks per queue and state: -1 where it was, +1 where it is. */
  states: { queue: string; state: TaskState; by: 1 | -1 }[];
  /** The work this move is, counted to the queue it is in now (or was in, when deleted). */
  work: WorkCount | null;
}

/** The work a move counts: new tasks are published; entering started is a start; leaving it is a
 *  success, a failure for good, or a retry (back to wait). Cancels, deletes, promotions and retries
 *  from the failed queue count no work. */
export function workOfMove(from: TaskState | null, to: TaskState | null): WorkCount | null {
  if (from === null) return to === null ? null : 'published';
  if (to === 'started') return 'started';
  if (from !== 'started') return null;
  if (to === 'succeeded') return 'succeeded';
  if (to === 'failed') return 'failed';
  if (to === 'ready' || to === 'scheduled') return 'retried';
  return null;
}

export function countsOfMove(from: Place, to: Place): MoveCounts {
  const states: MoveCounts['states'] = [];
  if (from && to && from.queue === to.queue && from.state === to.state) return { states, work: null };
  if (from) states.push({ queue: from.queue, state: from.state, by: -1 });
  if (to) states.push({ queue: to.queue, state: to.state, by: 1 });
  return { states, work: workOfMove(from?.state ?? null, to?.state ?? null) };
}

/** A task brought in from another store (POST /import): it is counted where it is, as work no queue
 *  here did (it was published, and maybe started, elsewhere). */
export function countsOfImport(to: { queue: string; state: TaskState }): MoveCounts {
  return { states: [{ queue: to.queue, state: to.state, by: 1 }], work: null };
}
