// Publishing: an event and all its copies in one write; a reEnqueue copy.
import { timeOrderedId } from '../../ids.js';
import { planCopies, createdEntry, reEnqueuedEntry, sharesPayload } from '../../lifecycle/copies.js';
import { planIdempotency, replayed } from '../idempotency.js';
import { publishStatus, type NewEvent, type PublishedEvent, type PublishResult } from '../store.js';
import type { TaskRow } from './rows.js';
import { SqliteArea, type Prepare, type SqliteConnection } from './connection.js';

/** The statements this area prepares, besides the connection's shared ones. */
const statements = (p: Prepare) => ({
  waitingWithKey: p(`SELECT 1 FROM tasks WHERE queue = ? AND unique_key = ? AND state IN ('scheduled', 'ready') LIMIT 1`).pluck(),
  idempotencyRecord: p(`SELECT body_hash, answer, expires_at_ms FROM idempotency WHERE publisher = ? AND key = ? AND expires_at_ms > ?`),
  putPayload: p(`INSERT INTO payloads (event_id, data) VALUES (?, ?)`),
  // A reEnqueue copy takes the stored data as it is: '' when the task shares its event's payload,
  // so the copy shares it too (a read resolves it) instead of storing it again.
  copyTask: p(`INSERT INTO tasks (task_id, event_id, queue, publisher, data, state, priority, run_at_ms, created_at_ms,
      updated_at_ms, max_attempts, unique_key, singularly_run, target_worker_id, route, history, traceparent, push_url)
    SELECT @taskId, event_id, queue, publisher, data, 'ready', priority, @nowMs, @nowMs, @nowMs, max_attempts, unique_key,
      singularly_run, target_worker_id, route, @history, traceparent, push_url FROM tasks WHERE task_id = @sourceId`),
  putIdempotency: p(`INSERT OR REPLACE INTO idempotency (publisher, key, body_hash, answer, expires_at_ms) VALUES (?, ?, ?, ?, ?)`),
});

export class SqlitePublish extends SqliteArea<ReturnType<typeof statements>> {
  constructor(c: SqliteConnection) {
    super(c, statements);
  }

  publishEvents(events: NewEvent[], nowMs: number, routedAtRevision?: number): Promise<PublishResult> {
    return this.write((): PublishResult => {
      if (routedAtRevision !== undefined) {
        const revision = this.st.revision.get() as number;
        if (revision !== routedAtRevision) return { outcome: 'interests_changed', revision };
      }
      const decided = planIdempotency(events, (publisher, key) => {
        const row = this.st.idempotencyRecord.get(publisher, key, nowMs) as { body_hash: string; answer: string; expires_at_ms: number } | undefined;
        return row ? { bodyHash: row.body_hash, answer: JSON.parse(row.answer), expiresAtMs: row.expires_at_ms } : null;
      });
      if ('conflict' in decided) return { outcome: 'idempotency_conflict', ...decided.conflict };
      const answers: PublishedEvent[] = [];
      const added = new Map<string, number>();
      for (const [i, plan] of decided.plans.entries()) {
        if (plan.kind === 'replay') { answers.push(replayed(plan.answer)); continue; }
        if (plan.kind === 'same-as') { answers.push(replayed(answers[plan.index]!)); continue; }
        const ev = events[i]!;
        const answer = this.insertEvent(ev, nowMs, added);
        if (ev.idempotency) this.st.putIdempotency.run(ev.publisher, ev.idempotency.key, ev.idempotency.bodyHash, JSON.stringify(answer), ev.idempotency.expiresAtMs);
        answers.push(answer);
      }
      for (const [key, n] of added) {
        const [queue, state] = key.split('\u0000') as [string, 'ready' | 'scheduled'];
        this.countMoves(null, { queue, state }, nowMs, n);
      }
      return { outcome: 'ok', events: answers };
    });
  }

  /** Inside a write: one event and all its copies. */
  private insertEvent(ev: NewEvent, nowMs: number, added: Map<string, number>): PublishedEvent {
    const out: PublishedEvent = { eventId: ev.eventId, status: publishStatus(ev, nowMs), replayed: false, tasks: [], deduplicated: [] };
    const payload = JSON.stringify(ev.data);
    const state = ev.runAtMs > nowMs ? 'scheduled' : 'ready';
    const history = JSON.stringify([createdEntry(ev.publisher, ev.origin, nowMs)]);
    const planned: { queue: string; route: string; targets: (string | null)[] }[] = [];
    for (const { queue, route } of ev.routes) {
      const copies = planCopies(ev, {
        keyWaiting: () => this.st.waitingWithKey.get(queue, ev.uniqueKey) !== undefined,
        workers: () => this.st.workersOfQueue.all(queue) as string[],
      });
      if (copies.deduplicated) out.deduplicated.push(queue);
      else planned.push({ queue, route: JSON.stringify(route), targets: copies.targets });
    }
    const shared = sharesPayload(planned.reduce((n, p) => n + p.targets.length, 0), () => payload.length);
    if (shared) this.st.putPayload.run(ev.eventId, payload);
    const data = shared ? '' : payload;
    for (const { queue, route, targets } of planned) {
      for (const targetWorkerId of targets) {
        const taskId = timeOrderedId();
        this.st.insertTask.run(taskId, ev.eventId, queue, ev.publisher, data, state, ev.priority, Math.round(ev.runAtMs), nowMs,
          nowMs, ev.maxAttempts, ev.uniqueKey, ev.singularlyRun ? 1 : 0, targetWorkerId, route, history, ev.traceparent, ev.pushUrl);
        out.tasks.push({ taskId, queue, state, targetWorkerId });
        const k = `${queue}\u0000${state}`;
        added.set(k, (added.get(k) ?? 0) + 1);
      }
    }
    return out;
  }

  /** A fresh ready copy of a task in its queue (reEnqueue). */
  insertCopy(row: TaskRow, nowMs: number): string {
    const taskId = timeOrderedId();
    this.st.copyTask.run({ taskId, nowMs, sourceId: row.task_id, history: JSON.stringify([reEnqueuedEntry(row.publisher, row.task_id, nowMs)]) });
    this.countMoves(null, { queue: row.queue, state: 'ready' }, nowMs);
    return taskId;
  }
}
