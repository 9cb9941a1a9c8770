// Publishing: an event and all its copies in one transaction; a reEnqueue copy.
import { createHash } from 'node:crypto';
import { timeOrderedId } from '../../ids.js';
import { planCopies, createdEntry, reEnqueuedEntry, sharesPayload } from '../../lifecycle/copies.js';
import { planIdempotency, replayed, type IdempotencyRecord } from '../idempotency.js';
import { publishStatus, type NewEvent, type PublishedEvent, type PublishResult, type RouteInfo } from '../store.js';
import { hasWaitingKey, shardForNewTask, type QueueDoc } from './queue-doc.js';
import { type MetaDoc, type EventDoc, type TaskDoc } from './docs.js';
import type { Unit } from './unit.js';
import { CouchbaseArea } from './documents.js';

export class CouchbasePublish extends CouchbaseArea {
  async publishEvents(events: NewEvent[], nowMs: number, routedAtRevision?: number): Promise<PublishResult> {
    const home = await this.c.homeShard();
    const recordKey = (publisher: string, key: string) => this.keys.idempotency(createHash('sha256').update(`${publisher}\u0000${key}`).digest('hex'));
    const keyed = events.filter((e) => e.idempotency).map((e) => recordKey(e.publisher, e.idempotency!.key));
    const queues = [...new Set(events.flatMap((e) => e.routes.map((r) => r.queue)))];
    const queueKeys = queues.map((name) => this.keys.queue(name));
    const keyedIn = new Set(events.flatMap((e) => (e.uniqueKey !== null ? e.routes.map((r) => r.queue) : [])));
    /** The shards this batch will write, from the heads: a new task's (shardForNewTask), or the head
     *  of a queue it makes. */
    const shardKeys = async (u: Unit) => {
      const heads = await u.getMany<QueueDoc>(queueKeys);
      return queues.flatMap((name, i) => {
        const head = heads[i];
        if (!head) return [queueKeys[i]!];
        const used = new Set([shardForNewTask(head, null, home), ...(keyedIn.has(name) ? [0] : [])]);
        return [...used].map((shard) => this.keys.queue(name, shard));
      });
    };
    return this.transact(async (u): Promise<PublishResult> => {
      // Before the reads below: one of them may create a queue and change meta.
      if (routedAtRevision !== undefined) {
        const revision = (await u.get<MetaDoc>(this.keys.meta()))?.revision ?? 0;
        if (revision !== routedAtRevision) return { outcome: 'interests_changed', revision };
      }
      // Every queue's head (read already, with the rest of the batch's; made here when new) first.
      const heads = new Map(await Promise.all(queues.map(async (name) => [name, await this.headDoc(u, name)] as const)));
      const records = new Map<string, IdempotencyRecord>();
      for (const e of events) {
        if (!e.idempotency) continue;
        const k = recordKey(e.publisher, e.idempotency.key);
        const r = await u.get<IdempotencyRecord>(k);
        if (r && r.expiresAtMs > nowMs) records.set(k, r);
      }
      const decided = planIdempotency(events, (publisher, key) => records.get(recordKey(publisher, key)) ?? null);
      if ('conflict' in decided) return { outcome: 'idempotency_conflict', ...decided.conflict };
      const out: PublishedEvent[] = [];
      for (const [i, ev] of events.entries()) {
        const plan = decided.plans[i]!;
        if (plan.kind === 'replay') { out.push(replayed(plan.answer)); continue; }
        if (plan.kind === 'same-as') { out.push(replayed(out[plan.index]!)); continue; }
        const published: PublishedEvent = { eventId: ev.eventId, status: publishStatus(ev, nowMs), replayed: false, tasks: [], deduplicated: [] };
        const state = ev.runAtMs > nowMs ? 'scheduled' : 'ready';
        const taskIds: string[] = [];
        const planned: { q: QueueDoc; route: RouteInfo; targets: (string | null)[] }[] = [];
        for (const { queue, route } of ev.routes) {
          const head = heads.get(queue)!;
          const q = await this.shardDoc(u, queue, shardForNewTask(head, ev.uniqueKey, home));
          const copies = planCopies(ev, { keyWaiting: () => hasWaitingKey(q, ev.uniqueKey!), workers: () => head.workers });
          if (copies.deduplicated) published.deduplicated.push(queue);
          else planned.push({ q, route, targets: copies.targets });
        }
        const copies = planned.reduce((n, p) => n + p.targets.length, 0);
        const shared = sharesPayload(copies, () => JSON.stringify(ev.data).length);
        const payload = shared ? { data: {}, sharedPayload: true as const } : { data: ev.data };
        for (const { q, route, targets } of planned) {
          const queue = q.name;
          for (const targetWorkerId of targets) {
            const taskId = timeOrderedId();
            await this.addTask(u, q, {
              taskId, eventId: ev.eventId, queue, publisher: ev.publisher, ...payload, state, priority: ev.priority,
              attempts: 0, maxAttempts: ev.maxAttempts, runAtMs: Math.round(ev.runAtMs), createdAtMs: nowMs, workerId: null,
              targetWorkerId, leaseExpiresAtMs: null, finishedAtMs: null, uniqueKey: ev.uniqueKey, singularlyRun: ev.singularlyRun,
              failReason: null, result: null, route, history: [createdEntry(ev.publisher, ev.origin, nowMs)], traceparent: ev.traceparent, pushUrl: ev.pushUrl,
            });
            taskIds.push(taskId);
            published.tasks.push({ taskId, queue, state, targetWorkerId });
          }
        }
        if (taskIds.length) u.put(this.keys.event(ev.eventId), { taskIds, ...(shared ? { data: ev.data, sharedBy: [...taskIds] } : {}) } satisfies EventDoc);
        if (ev.idempotency) {
          const record: IdempotencyRecord = { bodyHash: ev.idempotency.bodyHash, answer: published, expiresAtMs: ev.idempotency.expiresAtMs };
          const key = recordKey(ev.publisher, ev.idempotency.key);
          u.put(key, record);
          // Gone by itself a minute after it stops counting, instead of lingering in the bucket.
          u.expireAfter(key, (ev.idempotency.expiresAtMs - nowMs) / 1000 + 60);
        }
        out.push(published);
      }
      return { outcome: 'ok', events: out };
    }, { read: [...(routedAtRevision !== undefined ? [this.keys.meta()] : []), ...keyed, ...queueKeys], own: shardKeys });
  }

  /** A queue's head, read (a publish into another shard leaves it alone); made when the queue is new. */
  private async headDoc(u: Unit, name: string): Promise<QueueDoc> {
    return (await u.get<QueueDoc>(this.keys.queue(name))) ?? this.queueDoc(u, name, 'undeclared');
  }

  /** A fresh ready copy of a task in its queue (reEnqueue). */
  async addCopy(u: Unit, q: QueueDoc, t: TaskDoc, nowMs: number): Promise<string> {
    const taskId = timeOrderedId();
    // The copy belongs to the event too: cancelling the event reaches it, and a shared payload stays for it.
    const eventKey = this.keys.event(t.eventId);
    const e = await u.getOrCreate<EventDoc>(eventKey, () => ({ taskIds: [] }));
    e.taskIds.push(taskId);
    if (t.sharedPayload) e.sharedBy?.push(taskId);
    u.put(eventKey, e);
    await this.addTask(u, q, {
      ...t, taskId, state: 'ready', attempts: 0, runAtMs: nowMs, createdAtMs: nowMs, workerId: null, leaseExpiresAtMs: null,
      finishedAtMs: null, failReason: null, result: null,
      history: [reEnqueuedEntry(t.publisher, t.taskId, nowMs)],
    });
    return taskId;
  }
}
