// What a claim may start and in which order, decided once for both stores.

/** Claim order within a queue: higher priority first, then earlier due time, then arrival.
 *  SQLite writes the same order as ORDER BY priority DESC, run_at_ms, seq. */
export function claimOrder(a: { priority: number; runAtMs: number; seq: number }, b: { priority: number; runAtMs: number; seq: number }): number {
  return b.priority - a.priority || a.runAtMs - b.runAtMs || a.seq - b.seq;
}

/** Whether a worker may take a waiting copy: one made for a single worker (scope all) is that worker's. */
export const mayTakeCopy = (targetWorkerId: string | null, workerId: string) => targetWorkerId === null || targetWorkerId === workerId;

/** singularlyRun, for one claim: a task with a key waits while another with its key is started in its
 *  queue, or was taken earlier in this same claim. isStarted asks the store about the first case. */
export function singularRunGate(isStarted: (key: string) => boolean): (task: { singularlyRun: boolean; uniqueKey: string | null }) => boolean {
  const takenNow = new Set<string>();
  return (task) => {
    if (!task.singularlyRun || task.uniqueKey === null) return true;
    if (takenNow.has(task.uniqueKey) || isStarted(task.uniqueKey)) return false;
    takenNow.add(task.uniqueKey);
    return true;
  };
}

/** The history entry of a start. */
/** The queues a claim looks in, in the worker's priority order: all of them, or only those the claim
 *  names (a client whose slots for one queue are full asks for the others). */
export const claimQueues = (workerQueues: readonly string[], only?: readonly string[]) =>
  (only === undefined ? [...workerQueues] : workerQueues.filter((q) => only.includes(q)));

export const startedEntry = (workerId: string, attempt: number, nowMs: number) => ({ atMs: nowMs, what: 'started', workerId, attempt });
