// The one service routes call. It decides (routing, retries, leases, scope) and keeps no state that
// matters: everything lives in the store; the interest cache and waiters are only accelerators.
import type { Logger } from '../log.js';
import type { FailedFilter, FailedSelection, InterestMap, QueuePolicy, Report, TaskState } from '../model.js';
import type { Store } from '../store/store.js';
import { BACKOFF_JITTER } from '../lifecycle/backoff.js';
import { BrokerError, StoreUnavailableError } from '../errors.js';
import { BrokerMetrics } from '../metrics.js';
import type { BrokerContext, BrokerSettings } from './context.js';
import { InterestsCache } from './interests-cache.js';
import { Waiters } from './waiters.js';
import { publishEvents, publishInBackground, type PublishInput } from './publish.js';
import { claimTasks, type HangUp } from './claim.js';
import { reportTasks } from './report.js';
import { registerWorker, removeWorkers } from './workers.js';
import { deleteQueue, dryRunRouting, interestHistory, removeInterests, rollbackInterests, setInterests, updateQueuePolicy, type DryRunEvent } from './queues.js';
import { deleteFailed, listFailed, retryFailed } from './failed.js';
import * as status from './status.js';
import * as schedules from './schedules.js';
import * as tokens from './tokens.js';
import * as audit from './audit.js';
import { exportLines, importLines, type ImportLine } from './transfer.js';
import { whatIf } from './what-if.js';
import { deleteUnrouted, listUnrouted, replayUnrouted, type UnroutedFilter, type UnroutedSelection } from './unrouted.js';
import { InFlight } from '../in-flight.js';
import type { Role } from '../model.js';
import { CronMatchers } from '../schedules/cron.js';
import { PushTargets } from '../security/push-targets.js';
import { RoutingTap } from './tap.js';
import { RoutingRecords, recordSettings } from './routing-records.js';
import type { ScheduleDefinition } from '../model.js';

export class Broker {
  readonly ctx: BrokerContext;

  constructor(store: Store, settings: BrokerSettings, log: Logger, now: () => number = Date.now) {
    const waiters = new Waiters(settings.crossNodePollMs, (queues) => store.readyCounts(queues));
    this.ctx = {
      store, settings, log, now, waiters,
      rules: { defaultLeaseSeconds: settings.leaseSeconds, backoffJitter: BACKOFF_JITTER },
      interests: new InterestsCache(store, log),
      metrics: new BrokerMetrics(store, () => waiters.size),
      cron: new CronMatchers(),
      pushTargets: new PushTargets(settings.pushAllow ?? []),
      tap: new RoutingTap(settings.tapRedact ?? []),
      records: new RoutingRecords(store, recordSettings(settings)),
      pushing: null,
    };
  }

  get store(): Store { return this.ctx.store; }

  /** Whether the store answers: {ok, store}; any failure to reach it is store_unavailable (503). */
  async health(): Promise<{ ok: true; store: Store['kind'] }> {
    try {
      await this.ctx.store.ping();
    } catch (e) {
      throw e instanceof StoreUnavailableError ? e : new StoreUnavailableError(`store unavailable: ${(e as Error).message}`);
    }
    return { ok: true, store: this.ctx.store.kind };
  }
  get metrics(): BrokerMetrics { return this.ctx.metrics; }

  publish(inputs: PublishInput[]) { return publishEvents(this.ctx, inputs); }
  publishInBackground(inputs: PublishInput[]) { publishInBackground(this.ctx, inputs); }
  claim(workerId: string, count: number, waitSeconds: number, gone?: HangUp, only?: readonly string[]) { return claimTasks(this.ctx, workerId, count, waitSeconds, gone, only); }
  report(workerId: string, reports: Report[]) { return reportTasks(this.ctx, workerId, reports); }

  async cancel(sel: { taskId: string } | { eventId: string }) {
    const r = await this.ctx.store.cancelWaitingTasks(sel, this.ctx.now());
    if (r === null) {
      throw 'taskId' in sel
        ? new BrokerError('task_not_found', `no task ${JSON.stringify(sel.taskId)}`)
        : new BrokerError('event_not_found', `no event ${JSON.stringify(sel.eventId)}`);
    }
    if (r === 'not_waiting') throw new BrokerError('task_not_waiting', `task ${JSON.stringify((sel as { taskId: string }).taskId)} is not waiting: only scheduled or ready tasks can be cancelled`);
    return r;
  }

  registerWorker(name: string | undefined, queues: string[]) { return registerWorker(this.ctx, name, queues); }
  removeWorkers(sel: { workerId: string } | { queue: string }) { return removeWorkers(this.ctx, sel); }

  /** who: the token's name that asks (null in open mode), kept in the queue's interests history. */
  setInterests(queue: string, interests: InterestMap, who: string | null = null) { return setInterests(this.ctx, queue, interests, { who }); }
  removeInterests(queue: string, who: string | null = null) { return removeInterests(this.ctx, queue, { who }); }
  interestHistory(queue: string, limit: number, offset: number) { return interestHistory(this.ctx, queue, limit, offset); }
  rollbackInterests(queue: string, revision: number, who: string | null = null) { return rollbackInterests(this.ctx, queue, revision, who); }
  dryRun(event: DryRunEvent, draft?: { queue: string; interests: InterestMap }) { return dryRunRouting(this.ctx, event, draft); }
  whatIf(queue: string, draft: InterestMap | null, examples?: number) { return whatIf(this.ctx, queue, draft, examples); }
  deleteQueue(queue: string) { return deleteQueue(this.ctx, queue); }
  updateQueuePolicy(queue: string, patch: Partial<QueuePolicy>) { return updateQueuePolicy(this.ctx, queue, patch); }
  /** Erases the queue's waiting tasks (no history is kept): the count is logged, so a purge leaves a trace. */
  async purgeWaiting(queue: string) {
    const purged = await this.ctx.store.purgeWaitingTasks(queue);
    this.ctx.log.child({ queue }).info('queue purged', { purged });
    return { queue, purged };
  }
  async listQueueTasks(queue: string, state: TaskState, limit: number, offset: number) {
    return this.ctx.store.listTasks(queue, state, limit, offset);
  }

  listFailed(filter: FailedFilter, limit: number, offset: number) { return listFailed(this.ctx, filter, limit, offset); }
  retryFailed(sel: FailedSelection, opts: { toQueue?: string; data?: Record<string, unknown> }) { return retryFailed(this.ctx, sel, opts); }
  deleteFailed(sel: FailedSelection) { return deleteFailed(this.ctx, sel); }

  /** Writes made after their request was answered (audit entries): awaited before the store closes. */
  readonly afterAnswers = new InFlight();

  readonly audit = {
    record: (c: audit.ChangeFacts) => this.afterAnswers.track(audit.recordChange(this.ctx, c)),
    list: (limit: number, offset: number) => audit.listAudit(this.ctx, limit, offset),
  };

  readonly unrouted = {
    list: (filter: UnroutedFilter, limit: number, offset: number) => listUnrouted(this.ctx, filter, limit, offset),
    replay: (sel: UnroutedSelection) => replayUnrouted(this.ctx, sel),
    delete: (sel: UnroutedSelection) => deleteUnrouted(this.ctx, sel),
  };

  readonly tokens = {
    create: (input: { name: string; role: Role; queues?: string[] }) => tokens.createToken(this.ctx, input),
    list: () => tokens.listTokens(this.ctx),
    delete: (name: string) => tokens.deleteToken(this.ctx, name),
  };

  readonly schedules = {
    put: (def: ScheduleDefinition) => schedules.putSchedule(this.ctx, def),
    list: () => schedules.listSchedules(this.ctx),
    get: (name: string) => schedules.getSchedule(this.ctx, name),
    delete: (name: string) => schedules.deleteSchedule(this.ctx, name),
    pause: (name: string, paused: boolean) => schedules.pauseSchedule(this.ctx, name, paused),
  };

  readonly status = {
    overview: () => status.overview(this.ctx),
    queue: (q: string) => status.queueStatus(this.ctx, q),
    queues: (page?: status.QueuePage) => status.queuesStatus(this.ctx, page),
    throughput: (minutes: number, queues?: string[]) => status.throughputStatus(this.ctx, minutes, queues),
    interests: () => status.interestsStatus(this.ctx),
    workers: () => status.workersStatus(this.ctx),
    workerQueue: (w: string) => status.workerQueueStatus(this.ctx, w),
    task: (t: string) => status.taskStatus(this.ctx, t),
  };

  exportLines() { return exportLines(this.ctx); }
  importLines(lines: ImportLine[], existing: 'refuse' | 'skip') { return importLines(this.ctx, lines, existing); }

  /** Shutdown: long polls answer now. */
  stopWaiting(): void { this.ctx.waiters.close(); this.ctx.tap.close(); }
}
