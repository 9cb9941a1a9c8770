// Claims: a worker's next tasks in its queue order, then priority, due time, arrival, within its queues' limits.
import { leaseMs } from '../../lifecycle/lease.js';
import { roomToStart } from '../../lifecycle/limits.js';
import { claimQueues, startedEntry } from '../../lifecycle/claims.js';
import { type ClaimResult, type TaskRecord, type TransitionRules } from '../store.js';
import { claimFilter, hasWorkFor, type QueueDoc } from './queue-doc.js';
import { type WaitEntry } from './lane.js';
import { type WorkerDoc } from './docs.js';
import { CouchbaseArea } from './documents.js';

/** Due scheduled tasks a claim promotes in passing, per queue (the sweep does the rest). */
const PROMOTE_PER_CLAIM = 100;
/** Queue documents a claim reads at once when the ones it reached had nothing to start. */
const READ_AHEAD_QUEUES = 32;

export class CouchbaseClaim extends CouchbaseArea {
  async claimTasks(workerId: string, count: number, nowMs: number, rules: TransitionRules, only?: readonly string[]): Promise<ClaimResult> {
    const r = await this.start(workerId, count, nowMs, rules, only);
    // A started task's event document stays while the task does, so reading it after the commit is safe.
    return r.outcome === 'ok' ? { outcome: 'ok', tasks: await this.guard(() => this.withPayloads(r.tasks)) } : r;
  }

  private start(workerId: string, count: number, nowMs: number, rules: TransitionRules, only?: readonly string[]): Promise<ClaimResult> {
    return this.transact(async (u): Promise<ClaimResult> => {
      const w = await u.get<WorkerDoc>(this.keys.worker(workerId));
      if (!w) return { outcome: 'worker_not_found' };
      w.lastSeenAtMs = nowMs;
      u.put(this.keys.worker(workerId), w);
      const claimed: TaskRecord[] = [];
      const queues = claimQueues(w.queues, only);
      let readAheadTo = 0; // documents of the queues before this index are read ahead already
      for (const [i, queue] of queues.entries()) {
        if (claimed.length >= count) break;
        // Owning a queue's document (getForUpdate) locks it against every other node's writes until
        // this commits, so a queue with nothing to start is only read: a worker of many queues on
        // many nodes would otherwise make every claim collide with every publish to any of them.
        const seen = await u.get<QueueDoc>(this.keys.queue(queue));
        if (!seen || !hasWorkFor(seen, nowMs)) {
          // Nothing here: the next queues' documents in one round trip, not one after another as
          // the loop reaches them (a worker of ten empty queues spent ten round trips finding nothing).
          if (i + 1 >= readAheadTo) {
            readAheadTo = i + 1 + READ_AHEAD_QUEUES;
            await u.getMany(queues.slice(i + 1, readAheadTo).map((next) => this.keys.queue(next)));
          }
          continue;
        }
        const q = await this.queueDoc(u, queue, false);
        if (!q) continue;
        await this.promoteDue(u, q, nowMs, PROMOTE_PER_CLAIM);
        const { room, tokens } = roomToStart({ policy: q.policy, started: q.counts.started, rate: q.rate }, count - claimed.length, nowMs);
        if (room <= 0) continue;
        const mayTake = claimFilter(q, workerId);
        const picks: WaitEntry[] = [];
        await this.lanes(u, q).ready.scan((e) => (picks.length >= room ? false : void (mayTake(e) && picks.push(e))));
        if (!picks.length) continue;
        const lease = nowMs + leaseMs(q.policy.leaseSeconds, rules.defaultLeaseSeconds);
        const tasks = await u.getMany<TaskRecord>(picks.map((e) => this.keys.task(e.id)));
        for (const t of tasks) {
          if (!t) continue;
          t.workerId = workerId; t.attempts++; t.leaseExpiresAtMs = lease; t.failReason = null;
          t.history.push(startedEntry(workerId, t.attempts, nowMs));
          await this.move(u, q, t, 'started', nowMs);
          w.tasks.push(t.taskId);
          claimed.push(t);
        }
        if (q.policy.rateLimit !== null) {
          q.rate = { tokens: tokens - picks.length, atMs: nowMs };
          u.put(this.keys.queue(queue), q);
        }
      }
      return { outcome: 'ok', tasks: claimed };
    }, { read: [this.keys.worker(workerId)] });
  }
}
