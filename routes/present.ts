// Shapes domain records into API JSON: times become unix seconds (fractions allowed), as SPEC writes them.
import type { HistoryEntry, QueuePolicy, ReportOutcome, TaskRecord, WorkerRecord, WorkTask } from '../src/model.js';

const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);

function historyJson(h: HistoryEntry): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(h)) {
    if (k.endsWith('AtMs') && typeof v === 'number') out[k.slice(0, -2)] = v / 1000;
    else if (k === 'atMs') out.at = (v as number) / 1000;
    else out[k] = v;
  }
  return out;
}

/** The task as GET /task hands it to a worker. */
export function workTaskJson(t: WorkTask) {
  return {
    taskId: t.taskId, eventId: t.eventId, queue: t.queue, publisher: t.publisher, data: t.data,
    priority: t.priority, attempts: t.attempts, runAt: seconds(t.runAtMs), createdAt: seconds(t.createdAtMs),
    leaseExpiresAt: seconds(t.leaseExpiresAtMs),
    ...(t.traceparent ? { traceparent: t.traceparent } : {}),
  };
}

/** The whole task, as status and the failed queue show it. */
export function taskJson(t: TaskRecord) {
  return {
    ...workTaskJson(t),
    state: t.state, maxAttempts: t.maxAttempts, workerId: t.workerId, targetWorkerId: t.targetWorkerId,
    finishedAt: seconds(t.finishedAtMs), uniqueKey: t.uniqueKey, singularlyRun: t.singularlyRun,
    failReason: t.failReason, result: t.result, route: t.route, history: t.history.map(historyJson),
    // Its own push target by origin only: a URL's path or query often carries a token.
    ...(t.pushUrl ? { pushTo: originOf(t.pushUrl) } : {}),
  };
}

export function workerJson(w: WorkerRecord) {
  return {
    workerId: w.workerId, name: w.name, queues: w.queues, registeredAt: seconds(w.registeredAtMs),
    lastSeenAt: seconds(w.lastSeenAtMs), tasksDone: w.tasksDone, tasks: w.tasks,
  };
}

export function reportJson(o: Extract<ReportOutcome, { outcome: 'ok' }>) {
  return {
    taskId: o.taskId, state: o.state,
    ...(o.retryAtMs !== undefined ? { retryAt: o.retryAtMs / 1000 } : {}),
    ...(o.reEnqueuedTaskId ? { reEnqueuedTaskId: o.reEnqueuedTaskId } : {}),
    ...(o.leaseExpiresAtMs !== undefined ? { leaseExpiresAt: o.leaseExpiresAtMs / 1000 } : {}),
  };
}

/** A queue's policy as answered: the push secret is never shown back, only whether one is set. */
export function policyJson(p: QueuePolicy) {
  const { pushSecret, ...rest } = p;
  return { ...rest, hasPushSecret: pushSecret !== null };
}

const originOf = (url: string) => { try { return new URL(url).origin; } catch { return '(not a URL)'; } };
