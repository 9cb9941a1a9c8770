// Reports: success, fail (planned by lifecycle/transitions.ts) and progress, each under its owner check.
import { leaseMs } from '../../lifecycle/lease.js';
import { planFail, reportRefusal } from '../../lifecycle/transitions.js';
import type { Report, ReportOutcome, ReportResult, TaskRecord, TransitionRules  } from '../store.js';
import { type TaskDoc, type WorkerDoc } from './docs.js';
import { CouchbaseArea } from './documents.js';
import { minuteOf } from './keys.js';
import type { CouchbaseConnection } from './connection.js';
import type { CouchbasePublish } from './publish.js';

export class CouchbaseReport extends CouchbaseArea {
  constructor(c: CouchbaseConnection, private readonly publish: CouchbasePublish) {
    super(c);
  }

  /** One guarded body for the three kinds of report (areas.ts reportKinds makes the Store's methods of
   *  it): the worker must exist (its last-seen is refreshed), and each task must be started by it.
   *  rules: given for fails and lease renewals. */
  applyReports(workerId: string, reports: Report[], nowMs: number, rules?: TransitionRules): Promise<ReportResult> {
    const taskKeys = reports.map((r) => this.keys.task(r.taskId));
    return this.transact(async (u): Promise<ReportResult> => {
      const w = await u.get<WorkerDoc>(this.keys.worker(workerId));
      if (!w) return { outcome: 'worker_not_found' };
      w.lastSeenAtMs = nowMs;
      u.put(this.keys.worker(workerId), w);
      const outcomes: ReportOutcome[] = [];
      for (const r of reports) {
        const t = await u.get<TaskRecord>(this.keys.task(r.taskId));
        if (!t) { outcomes.push({ outcome: 'task_not_found', taskId: r.taskId }); continue; }
        const refused = reportRefusal(t, workerId);
        if (refused) { outcomes.push({ outcome: refused, taskId: r.taskId }); continue; }
        const q = await this.shardOfTask(u, t);
        const policy = await this.policyOf(u, q);
        const startedAtMs = q.started[t.taskId]?.at ?? nowMs;
        if (r.result !== undefined) t.result = r.result;
        if (r.state === 'progress') {
          t.leaseExpiresAtMs = nowMs + leaseMs(policy.leaseSeconds, rules!.defaultLeaseSeconds);
          q.started[t.taskId]!.lease = t.leaseExpiresAtMs;
          u.put(this.keys.task(t.taskId), t);
          u.put(this.keys.queueOf(q), q);
          outcomes.push({ outcome: 'ok', taskId: t.taskId, queue: t.queue, state: 'started', startedAtMs, leaseExpiresAtMs: t.leaseExpiresAtMs });
          continue;
        }
        w.tasksDone++;
        w.tasks = w.tasks.filter((id) => id !== t.taskId);
        const reEnqueuedTaskId = r.reEnqueue ? await this.publish.addCopy(u, q, t, nowMs) : undefined;
        const also = reEnqueuedTaskId ? { reEnqueuedTaskId } : {};
        t.leaseExpiresAtMs = null;
        if (r.state === 'success') {
          t.finishedAtMs = nowMs; t.failReason = null;
          t.history.push({ atMs: nowMs, what: 'succeeded', workerId, attempt: t.attempts, ...also });
          await this.move(u, q, t, 'succeeded', nowMs);
          outcomes.push({ outcome: 'ok', taskId: t.taskId, queue: t.queue, state: 'succeeded', startedAtMs, ...also });
          continue;
        }
        const plan = planFail(t, policy, { failReason: r.failReason, reEnqueued: reEnqueuedTaskId !== undefined, draw: r.draw ?? 0.5, jitter: rules!.backoffJitter, retry: r.retry }, nowMs);
        const retry = plan.retryAtMs !== undefined ? { retryAtMs: plan.retryAtMs } : {};
        Object.assign(t, { runAtMs: plan.runAtMs, failReason: plan.reason, finishedAtMs: plan.finishedAtMs, workerId: plan.keepWorker ? workerId : null });
        t.history.push({ atMs: nowMs, what: 'failed', workerId, attempt: t.attempts, reason: plan.reason, ...retry, ...also });
        await this.move(u, q, t, plan.to, nowMs);
        outcomes.push({ outcome: 'ok', taskId: t.taskId, queue: t.queue, state: plan.to, startedAtMs, ...retry, ...also });
      }
      return { outcome: 'ok', reports: outcomes };
    }, {
      read: [this.keys.worker(workerId), ...taskKeys],
      // The queue shards of the tasks it may report on: those it will write; and the heads of those
      // above 0, whose policy the reports read (in one round trip here, not one a queue later).
      own: async (u) => {
        const tasks = (await u.getMany<TaskDoc>(taskKeys)).filter((t): t is TaskDoc => t !== null && !reportRefusal(t, workerId));
        // With them, the minute's finished-task documents that successes are listed in.
        const successes = new Set(reports.filter((r) => r.state === 'success').map((r) => r.taskId));
        const succeeded = tasks.filter((t) => successes.has(t.taskId));
        await u.getMany([...new Set([...tasks.filter((t) => t.shard).map((t) => this.keys.queue(t.queue)),
          ...succeeded.map((t) => this.keys.finished(t.queue, minuteOf(nowMs), t.shard))])]);
        return tasks.map((t) => this.keys.queue(t.queue, t.shard ?? 0));
      },
    });
  }
}
