// Claims: a worker's next tasks in its queue order, then priority, due time, arrival, within its queues' limits.
import { leaseMs } from '../../lifecycle/lease.js';
import { roomToStart } from '../../lifecycle/limits.js';
import { claimQueues, startedEntry } from '../../lifecycle/claims.js';
import { StoreUnavailableError, type ClaimResult, type TaskRecord, type TransitionRules } from '../store.js';
import { claimFilter, claimPlan, countWaitingKey, countsOverShards, isLimited, mayTakeOver, shardsOf, waitedToTakeOver, type QueueDoc } from './queue-doc.js';
import { type WaitEntry } from './lane.js';
import { type WorkerDoc } from './docs.js';
import { CouchbaseArea } from './documents.js';
import type { Unit } from './unit.js';
import { LostRace } from './connection.js';

/** Due scheduled tasks a claim promotes in passing, per queue (the sweep does the rest). */
const PROMOTE_PER_CLAIM = 100;
/** Tasks one take-over moves at least (when that many waited too long): one at a time, a worker of
 *  queues that only another node's publishers feed got a task per two transactions. */
const TAKE_OVER_AT_ONCE = 32;
/** Tasks one take-over moves at most: half the source shard's ready tasks, when that is more than the above. */
const TAKE_OVER_AT_MOST = 256;
/** How long a node waits between take-overs of one queue (see takeOverDue), and at most after lost ones. */
export const TAKE_OVER_EVERY_MS = 250;
const TAKE_OVER_BACKOFF_MAX_MS = 2000;
/** Queue documents a claim reads at once when the ones it reached had nothing to start. */
const READ_AHEAD_QUEUES = 32;

export class CouchbaseClaim extends CouchbaseArea {
  /** The shards each queue's head listed when this node last looked: read with the head, in one round
   *  trip, instead of after it. A hint only: the head read in the transaction decides. */
  private readonly shardsSeen = new Map<string, number[]>();

  /** When this node last tried to take tasks of a queue over from other nodes' shards, and how long
   *  it waits before the next try. */
  private readonly lastTakeOver = new Map<string, { atMs: number; waitMs: number }>();

  /** A node takes tasks of a queue over TAKE_OVER_EVERY_MS apart at most, twice as long after each
   *  one lost to the shard's busy node (up to TAKE_OVER_BACKOFF_MAX_MS): each take-over writes another
   *  node's shard, and so fails that node's batch if it is at work there; every idle worker's claim
   *  taking over kept four nodes on one hot queue at 0.4 of one node's rate. Until then its claims
   *  take what its own shards hold. A hint in memory only: a restarted node may at once. */
  private takeOverDue(queue: string, nowMs: number): boolean {
    const last = this.lastTakeOver.get(queue);
    return !last || nowMs - last.atMs >= last.waitMs;
  }

  /** The keys of a queue's head and of the shards it was last seen with. */
  private documentsOf(queue: string): string[] {
    return [this.keys.queue(queue), ...(this.shardsSeen.get(queue) ?? []).map((n) => this.keys.queue(queue, n))];
  }

  async claimTasks(workerId: string, count: number, nowMs: number, rules: TransitionRules, only?: readonly string[]): Promise<ClaimResult> {
    const home = await this.c.homeShard();
    const first = await this.start(workerId, count, nowMs, rules, home, only);
    if (first.result.outcome !== 'ok') return first.result;
    const tasks = first.result.tasks;
    if (first.takeOver) {
      // Tasks that waited too long in other nodes' shards: moved into this node's, then claimed here.
      await this.takeOver(first.takeOver.queue, first.takeOver.shard, home, Math.max(count - tasks.length, TAKE_OVER_AT_ONCE), nowMs);
      const more = (await this.start(workerId, count - tasks.length, nowMs, rules, home, only)).result;
      if (more.outcome === 'ok') tasks.push(...more.tasks);
    }
    // A started task's event document stays while the task does, so reading it after the commit is safe.
    return { outcome: 'ok', tasks: await this.guard(() => this.withPayloads(tasks)) };
  }

  /** One claim transaction. takeOver: a queue whose own shards (the head and this node's) fell short
   *  while other shards held tasks that waited too long (claimPlan); the claim stops there. */
  private start(workerId: string, count: number, nowMs: number, rules: TransitionRules, home: number, only?: readonly string[]) {
    type Started = { result: ClaimResult; takeOver: { queue: string; shard: number } | null };
    return this.transact(async (u): Promise<Started> => {
      const w = await u.get<WorkerDoc>(this.keys.worker(workerId));
      if (!w) return { result: { outcome: 'worker_not_found' }, takeOver: null };
      w.lastSeenAtMs = nowMs;
      u.put(this.keys.worker(workerId), w);
      const claimed: TaskRecord[] = [];
      const queues = claimQueues(w.queues, only);
      let readAheadTo = READ_AHEAD_QUEUES; // documents of the queues before this index are read already (thenRead)
      for (const [i, queue] of queues.entries()) {
        if (claimed.length >= count) break;
        // Owning a queue's document (getForUpdate) locks it against every other node's writes until
        // this commits, so a shard with nothing to start is only read: a worker of many queues on
        // many nodes would otherwise make every claim collide with every publish to any of them.
        const { head, docs, limited, plan } = await this.planOf(u, queue, home, nowMs);
        const aged = this.takeOverDue(queue, nowMs) ? plan.aged : [];
        if (plan.agedFirst && aged.length) return { result: { outcome: 'ok', tasks: claimed }, takeOver: { queue, shard: aged[0]! } };
        if (!plan.local.length && !aged.length) {
          // Nothing here: the next queues' documents in one round trip, not one after another as the
          // loop reaches them (a worker of ten empty queues spent ten round trips finding nothing).
          if (i + 1 >= readAheadTo) {
            readAheadTo = i + 1 + READ_AHEAD_QUEUES;
            await u.getMany(queues.slice(i + 1, readAheadTo).flatMap((next) => this.documentsOf(next)));
          }
          continue;
        }
        // A limited queue's starts are counted over all its shards under its owned head.
        if (limited) await this.queueDoc(u, queue, false);
        const started = limited ? countsOverShards(docs).counts.started : 0;
        const limits = roomToStart({ policy: head!.policy, started, rate: head!.rate }, count - claimed.length, nowMs);
        let room = limits.room;
        const lease = nowMs + leaseMs(head!.policy.leaseSeconds, rules.defaultLeaseSeconds);
        let taken = 0;
        for (const seen of plan.local) {
          if (room <= 0) break;
          const q = await this.shardDoc(u, queue, seen.shard ?? 0);
          await this.promoteDue(u, q, nowMs, PROMOTE_PER_CLAIM);
          const picks = await this.picksOf(u, q, workerId, room);
          for (const t of await u.getMany<TaskRecord>(picks.map((e) => this.keys.task(e.id)))) {
            if (!t) continue;
            t.workerId = workerId; t.attempts++; t.leaseExpiresAtMs = lease; t.failReason = null;
            t.history.push(startedEntry(workerId, t.attempts, nowMs));
            await this.move(u, q, t, 'started', nowMs);
            w.tasks.push(t.taskId);
            claimed.push(t);
          }
          room -= picks.length;
          taken += picks.length;
        }
        if (head!.policy.rateLimit !== null && taken > 0) {
          head!.rate = { tokens: limits.tokens - taken, atMs: nowMs };
          u.put(this.keys.queue(queue), head);
        }
        if (room > 0 && aged.length) return { result: { outcome: 'ok', tasks: claimed }, takeOver: { queue, shard: aged[0]! } };
      }
      return { result: { outcome: 'ok', tasks: claimed }, takeOver: null };
    }, {
      read: [this.keys.worker(workerId)],
      // The worker's first queues' documents, with every other claim's of the batch in one round: read
      // by each claim in turn, one node on 100 queues spent its batches on those round trips.
      thenRead: async (u) => {
        const w = await u.get<WorkerDoc>(this.keys.worker(workerId));
        return w ? claimQueues(w.queues, only).slice(0, READ_AHEAD_QUEUES).flatMap((queue) => this.documentsOf(queue)) : [];
      },
      // The first queue it would start a task in, as the documents read so far say: its shard (and a
      // limited queue's head) owned, the front of its ready lane and those tasks read, with every other
      // unit's in one round. Read one after another as the units ran, they were half of a batch's
      // time (16 workers of 10 queues each on 100 queues). A guess only: the claim decides.
      own: async (u) => {
        const w = await u.get<WorkerDoc>(this.keys.worker(workerId));
        // Past the tasks guessed for the batch's other claims: they run first and take those.
        let guessed = this.guessed.get(u);
        if (!guessed) this.guessed.set(u, guessed = new Set());
        for (const queue of w ? claimQueues(w.queues, only).slice(0, READ_AHEAD_QUEUES) : []) {
          const { limited, plan } = await this.planOf(u, queue, home, nowMs);
          const q = plan.local[0];
          if (!q) continue;
          await u.getMany((await this.picksOf(u, q, workerId, count, guessed)).map((e) => this.keys.task(e.id)));
          return [...new Set([this.keys.queueOf(q), ...(limited ? [this.keys.queue(queue)] : [])])];
        }
        return [];
      },
    });
  }

  /** A queue's documents as this transaction sees them (its head and every shard the head lists), and
   *  where a claim on this node would look in them (claimPlan). */
  private async planOf(u: Unit, queue: string, home: number, nowMs: number) {
    const [head] = await u.getMany<QueueDoc>(this.documentsOf(queue));
    this.shardsSeen.set(queue, head?.shards ?? []);
    const docs = head ? [head, ...await u.getMany<QueueDoc>(shardsOf(head).slice(1).map((n) => this.keys.queue(queue, n)))].filter((q) => q !== null) : [];
    const limited = !!head && isLimited(head.policy);
    return { head, docs, limited, plan: claimPlan(docs, home, nowMs, limited) };
  }

  /** The ready entries of shard q that the worker may start, up to room, in claim order. guessed: those
   *  to pass over, and the picks are added to it as they are made (claims guessing at once, see own). */
  private async picksOf(u: Unit, q: QueueDoc, workerId: string, room: number, guessed?: Set<string>): Promise<WaitEntry[]> {
    const mayTake = claimFilter(q, workerId);
    const picks: WaitEntry[] = [];
    await this.lanes(u, q).ready.scan((e) => {
      if (picks.length >= room) return false;
      if (guessed?.has(e.id) || !mayTake(e)) return;
      picks.push(e);
      guessed?.add(e.id);
    });
    return picks;
  }

  /** The tasks each batch's claims guessed they would start (see start's own), by the batch's unit. */
  private readonly guessed = new WeakMap<Unit, Set<string>>();

  /** Moves up to `want` ready tasks that waited long enough (waitedToTakeOver) in another node's shard of the queue
   *  (the one whose first task waited longest: one busy node's, not every node's) into this node's
   *  home shard, oldest first, in a transaction of its own, tried once: a race lost to the shard's
   *  own node fails this alone, not the requests of this node's batch, and is not re-run against
   *  that node's next batches. Not a change of state: no history. */
  private async takeOver(queue: string, shard: number, home: number, want: number, nowMs: number): Promise<void> {
    const waitedMs = this.lastTakeOver.get(queue)?.waitMs ?? TAKE_OVER_EVERY_MS;
    this.lastTakeOver.set(queue, { atMs: nowMs, waitMs: TAKE_OVER_EVERY_MS });
    await this.c.transactAlone(async (u) => {
      // Read before owning: the claim that chose this shard ran earlier, in this node's batch, and its
      // node has often taken the tasks since (half of the take-overs counted found none). Such a
      // take-over now writes nothing, so it fails none of that node's batches.
      if (!mayTakeOver(await u.get<QueueDoc>(this.keys.queue(queue, shard)), nowMs)) return;
      const to = await this.shardDoc(u, queue, home);
      const from = await this.shardDoc(u, queue, shard);
      const ready = this.lanes(u, from).ready;
      const ids: string[] = [];
      // Half a long backlog at once (a node whose workers see none of its own publishers' tasks
      // lives on these), the other half left to the shard's node.
      const upTo = Math.max(want, Math.min(TAKE_OVER_AT_MOST, Math.floor(from.counts.ready / 2)));
      await ready.scan((e) => (ids.length >= upTo ? false : void (waitedToTakeOver(e, nowMs) && ids.push(e.id))));
      const taken = await ready.remove(ids);
      for (const e of taken) countWaitingKey(from, e, -1);
      for (const t of await u.getMany<TaskRecord>(taken.map((e) => this.keys.task(e.id)))) {
        if (t?.state !== 'ready') continue;
        await this.enterWaiting(u, to, t, 'ready');
        // The same queue and state: its counts only change documents.
        from.counts.ready--; to.counts.ready++;
        u.put(this.keys.task(t.taskId), t);
      }
      u.put(this.keys.queueOf(from), from);
      u.put(this.keys.queueOf(to), to);
    }, { once: true }).catch((e: unknown) => {
      // Lost to the shard's own node, which is then at work on them: nothing to take over.
      if (!(e instanceof StoreUnavailableError) && !(e instanceof LostRace)) throw e;
      this.lastTakeOver.set(queue, { atMs: nowMs, waitMs: Math.min(2 * waitedMs, TAKE_OVER_BACKOFF_MAX_MS) });
    });
  }
}
