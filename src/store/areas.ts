// Which area file of a driver answers each Store method: the same table for both drivers, so
// sqlite/ and couchbase/ hold the same file names and compose into a Store the same way.
import type { Report, ReportResult, Store, TransitionRules } from './store.js';

export const AREA_OF = {
  interestsRevision: 'queues', loadInterests: 'queues', setInterests: 'queues', removeInterests: 'queues', interestHistory: 'queues', interestChange: 'queues',
  getQueuePolicy: 'queues', updateQueuePolicy: 'queues', purgeWaitingTasks: 'queues', deleteQueue: 'queues',
  publishEvents: 'publish', claimTasks: 'claim', completeTasks: 'report', failTasks: 'report', extendLeases: 'report',
  cancelWaitingTasks: 'tasks', getTask: 'tasks', getTasks: 'tasks', listExportedTaskIds: 'tasks', importTasks: 'tasks', jobIdsOf: 'tasks', taskOfJobId: 'tasks', listTasks: 'tasks',
  registerWorker: 'workers', getWorker: 'workers', listWorkers: 'workers', countWorkers: 'workers', removeWorkers: 'workers',
  listFailedTasks: 'failed', retryFailedTasks: 'failed', deleteFailedTasks: 'failed',
  putSchedule: 'schedules', getSchedule: 'schedules', listSchedules: 'schedules', deleteSchedule: 'schedules',
  setSchedulePaused: 'schedules', recordScheduleFiring: 'schedules',
  promoteDueTasks: 'sweeps', expireLeases: 'sweeps', reapIdleWorkers: 'sweeps', pruneFinishedTasks: 'sweeps',
  queueSummaries: 'status', readyCounts: 'status', countQueues: 'status', totals: 'status', throughput: 'status', addToCounter: 'status', counter: 'status',
  createToken: 'tokens', listTokens: 'tokens', tokenByHash: 'tokens', hasTokens: 'tokens', deleteToken: 'tokens', touchToken: 'tokens',
  appendAudit: 'audit', listAudit: 'audit', pruneAudit: 'audit',
  appendEvents: 'routingRecords', readEvents: 'routingRecords', readEventsPage: 'routingRecords', readEventsById: 'routingRecords', countEvents: 'routingRecords', removeEvents: 'routingRecords',
  addInterestMatches: 'routingRecords', interestMatches: 'routingRecords',
} as const satisfies Record<Exclude<keyof Store, 'kind' | 'ping' | 'close'>, string>;

type Method = keyof typeof AREA_OF;
export type AreaName = (typeof AREA_OF)[Method];
/** What each area file must answer: exactly its methods of the Store interface. */
export type Areas = { [A in AreaName]: Pick<Store, { [M in Method]: (typeof AREA_OF)[M] extends A ? M : never }[Method]> };

/** A Store made of a driver's areas and its own life (kind, ping, close). */
export function composeStore(life: Pick<Store, 'kind' | 'ping' | 'close'>, areas: Areas): Store {
  const store: Record<string, unknown> = { kind: life.kind, ping: () => life.ping(), close: () => life.close() };
  for (const [method, area] of Object.entries(AREA_OF)) {
    const owner = areas[area] as unknown as Record<string, (...args: unknown[]) => unknown>;
    store[method] = (...args: unknown[]) => owner[method]!(...args);
  }
  return store as unknown as Store;
}

type ApplyReports = (workerId: string, reports: Report[], nowMs: number, rules?: TransitionRules) => Promise<ReportResult>;

/** The three report transitions of a driver, over its one guarded body for reports of any kind. */
export function reportKinds(apply: ApplyReports): Areas['report'] {
  return {
    completeTasks: (workerId, reports, nowMs) => apply(workerId, reports.map((r) => ({ ...r, state: 'success' as const })), nowMs),
    failTasks: (workerId, reports, nowMs, rules) => apply(workerId, reports.map((r) => ({ ...r, state: 'fail' as const })), nowMs, rules),
    extendLeases: (workerId, taskIds, nowMs, rules) => apply(workerId, taskIds.map((taskId) => ({ taskId, state: 'progress' as const })), nowMs, rules),
  };
}
