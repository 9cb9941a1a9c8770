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
}

export const emptyTotals = (): Totals => ({ published: 0, started: 0, succeeded: 0, failed: 0, retried: 0 });

export function newQueueDoc(name: string, declared: boolean): QueueDoc {
  return {
    name, declared, interests: null, policy: { ...DEFAULT_POLICY }, rate: null, nextSeq: 1, nextSegment: 1,
    counts: emptyCounts(), totals: emptyTotals(), ready: [], scheduled: [], failed: [], waitingKeys: {}, started: {}, workers: [], finishedMinutes: [],
  };
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
