// The queue document and the pure logic over it: policy, interests, exact counts and totals, the
// started map, the rate bucket, and the chains of its two lanes (ready in claim order, scheduled in
// due order; the entries themselves live in segment documents, see lane.ts). The driver reads and
// writes it inside Couchbase transactions; everything here is plain data so unit tests cover it
// without a cluster.
import { emptyCounts, type TaskState } from '../../lifecycle/states.js';
import { mayTakeCopy, singularRunGate } from '../../lifecycle/claims.js';
import { DEFAULT_POLICY, type InterestMap, type QueuePolicy, type Totals } from '../store.js';
import type { FailedEntry, SegmentRef, WaitEntry } from './lane.js';

export interface StartedEntry { w: string; lease: number; k: string | null; sr: boolean; at: number }

export interface QueueDoc {
  name: string;
  declared: boolean;
  interests: InterestMap | null;
  policy: QueuePolicy;
  rate: { tokens: number; atMs: number } | null;
  nextSeq: number;
  nextSegment: number;
  counts: Record<TaskState, number>;
  totals: Totals;
  ready: SegmentRef[];
  scheduled: SegmentRef[];
  /** The failed lane's chain, oldest first; absent in documents from before it was segmented (their
   *  failed list is the one `:f:` document until a change moves it, documents.ts failedLane). */
  failed?: SegmentRef<FailedEntry>[];
  /** How many waiting tasks hold each uniqueKey (singularlyEnqueue asks without reading the lanes). */
  waitingKeys: Record<string, number>;
  started: Record<string, StartedEntry>;
  /** worker ids registered on this queue (scope 'all' copies, DELETE /worker?queue=). */
  workers: string[];
  /** Minutes that have a finished-tasks document, oldest first. */
  finishedMinutes: number[];
  /** A shard's number; absent in the head (shard 0). A shard uses its own lanes, counts, totals,
   *  started map and finished minutes; name, policy, interests, workers and rate are the head's. */
  shard?: number;
  /** The head's list of the shards above 0 that exist. */
  shards?: number[];
}

export const emptyTotals = (): Totals => ({ published: 0, started: 0, succeeded: 0, failed: 0, retried: 0 });

export function newQueueDoc(name: string, declared: boolean): QueueDoc {
  return {
    name, declared, interests: null, policy: { ...DEFAULT_POLICY }, rate: null, nextSeq: 1, nextSegment: 1,
    counts: emptyCounts(), totals: emptyTotals(), ready: [], scheduled: [], failed: [], waitingKeys: {}, started: {}, workers: [], finishedMinutes: [],
  };
}

/** Segment ids of one shard start here times its number, so the shards of a queue never share a
 *  segment key (2^40 segments a shard; up to MAX_QUEUE_SHARDS shards stay exact integers). */
const SHARD_SEGMENT_SPAN = 2 ** 40;
export const MAX_QUEUE_SHARDS = 2 ** 12;
/** COUCHBASE_QUEUE_SHARDS unless set: one document a queue. Shards let nodes carry a hot queue
 *  together, but cost queues that are not hot (docs/couchbase.md has the measurements). */
export const DEFAULT_QUEUE_SHARDS = 1;

export function newShardDoc(name: string, shard: number): QueueDoc {
  return { ...newQueueDoc(name, false), shard, nextSegment: shard * SHARD_SEGMENT_SPAN + 1 };
}

/** The shard numbers of a queue, its head's (0) first. */
export const shardsOf = (head: QueueDoc): number[] => [0, ...(head.shards ?? [])];

/** A queue with a concurrency or rate limit counts its starts across every shard in one place (its
 *  head), so its claims own the head; others never write it to start a task. */
export const isLimited = (p: QueuePolicy): boolean => p.concurrency !== null || p.rateLimit !== null;

/** Which shard a new task of this queue goes to: a task with a uniqueKey, and every task of a limited
 *  queue, to the head, where singularlyEnqueue, singularlyRun and the limits see them all; the rest to
 *  the publishing node's home shard, which other nodes mostly leave alone. */
export function shardForNewTask(head: QueueDoc, uniqueKey: string | null, homeShard: number): number {
  return uniqueKey !== null || isLimited(head.policy) ? 0 : homeShard;
}

/** How long a task waits in another node's shard before this node takes it over: that node's own
 *  workers, woken by its publish, come first. Taken at once (or after 250 ms, the cross-node poll of
 *  broker/waiters.ts), idle workers' claims kept colliding with the publishing node's transactions. */
export const STEAL_AFTER_MS = 500;

/** Whether a ready task in another node's shard has waited long enough to be taken over. */
export const waitedToTakeOver = (e: WaitEntry, nowMs: number) => e.r <= nowMs - STEAL_AFTER_MS;

/** Whether q, another node's shard, holds such a task (its first is the longest waiting). */
export function mayTakeOver(q: QueueDoc | null, nowMs: number): q is QueueDoc {
  return q?.ready[0] !== undefined && waitedToTakeOver(q.ready[0].first, nowMs);
}

/** Where a claim on this node looks in one queue. `local`: the shards it takes from, in order: the
 *  head (every node's) and its home shard, or for a limited queue every shard (its head, owned, counts
 *  them all); the best priority at the front of a ready lane (or of the due scheduled tasks) first, at
 *  equal priority the home shard. `aged`: other nodes' shards whose first task has waited
 *  STEAL_AFTER_MS, longest waiting first, to be moved into the home shard (claim.ts takeOver) when the
 *  local ones fall short;
 *  `agedFirst`: one of them holds a more urgent task than any local one, so it moves first. */
export function claimPlan(docs: QueueDoc[], homeShard: number, nowMs: number, limited: boolean): { local: QueueDoc[]; aged: number[]; agedFirst: boolean } {
  const front = (q: QueueDoc) => {
    const due = q.scheduled[0]?.first;
    return [q.ready[0]?.first, due && due.r <= nowMs ? due : undefined].filter((e) => e !== undefined);
  };
  const best = (q: QueueDoc) => Math.max(...front(q).map((e) => e.p));
  const isLocal = (q: QueueDoc) => limited || !q.shard || q.shard === homeShard;
  const withWork = docs.filter((q) => hasWorkFor(q, nowMs));
  const local = withWork.filter(isLocal)
    .sort((a, b) => best(b) - best(a) || Number((b.shard ?? 0) === homeShard) - Number((a.shard ?? 0) === homeShard));
  const aged = withWork.filter((q) => !isLocal(q) && mayTakeOver(q, nowMs))
    .sort((a, b) => a.ready[0]!.first.r - b.ready[0]!.first.r);
  const bestLocal = local.length ? best(local[0]!) : -Infinity;
  return { local, aged: aged.map((q) => q.shard!), agedFirst: aged.some((q) => q.ready[0]!.first.p > bestLocal) };
}

/** A queue's counts and totals over all its shards (head first). */
export function countsOverShards(docs: QueueDoc[]): { counts: Record<TaskState, number>; totals: Totals } {
  const counts = emptyCounts(); const totals = emptyTotals();
  for (const q of docs) {
    for (const [s, n] of Object.entries(q.counts)) counts[s as TaskState] += n;
    for (const [f, n] of Object.entries(q.totals)) totals[f as keyof Totals] += n ?? 0;
  }
  return { counts, totals };
}

/** Keeps waitingKeys in step as an entry joins (+1) or leaves (-1) the lanes. */
export function countWaitingKey(q: QueueDoc, e: WaitEntry, by: 1 | -1): void {
  if (e.k === null) return;
  const n = (q.waitingKeys[e.k] ?? 0) + by;
  if (n > 0) q.waitingKeys[e.k] = n; else delete q.waitingKeys[e.k];
}

export function hasWaitingKey(q: QueueDoc, key: string): boolean {
  return (q.waitingKeys[key] ?? 0) > 0;
}

/** Whether a claim could start anything here: a ready task, or a scheduled one now due. */
export function hasWorkFor(q: QueueDoc, nowMs: number): boolean {
  return q.ready.length > 0 || (q.scheduled[0]?.first.r ?? Infinity) <= nowMs;
}

/** Which ready entries a worker may start, asked in lane order (lifecycle/claims decides). */
export function claimFilter(q: QueueDoc, workerId: string): (e: WaitEntry) => boolean {
  const keysStarted = new Set(Object.values(q.started).filter((s) => s.sr && s.k !== null).map((s) => s.k!));
  const mayStart = singularRunGate((key) => keysStarted.has(key));
  return (e) => mayTakeCopy(e.w, workerId) && mayStart({ singularlyRun: e.sr, uniqueKey: e.k });
}
