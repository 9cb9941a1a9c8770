// Task states and which of them count as "waiting" (the queue's length) or finished.
export const TASK_STATES = ['scheduled', 'ready', 'started', 'succeeded', 'failed', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const WAITING_STATES: readonly TaskState[] = ['scheduled', 'ready'];
export const FINISHED_STATES: readonly TaskState[] = ['succeeded', 'failed', 'cancelled'];

export function emptyCounts(): Record<TaskState, number> {
  return { scheduled: 0, ready: 0, started: 0, succeeded: 0, failed: 0, cancelled: 0 };
}
