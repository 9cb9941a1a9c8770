// The queue document and the pure logic over it: the waiting lane (kept sorted in claim order), the
// started map, counts, totals and the rate bucket. The driver reads and writes it inside Couchbase
// transactions; everything here is plain data so unit tests cover it without a cluster.
import { emptyCounts, type TaskState } from '../../lifecycle/states.js';
import { DEFAULT_POLICY, type InterestMap, type QueuePolicy, type Totals } from '../store.js';

/** One waiting task, compact because a backlog is stored in the queue document. */
export interface WaitEntry {
  id: string;
  /** priority (higher first), due time, arrival sequence: the claim order. */
  p: number; r: number; s: number;
  st: 'scheduled' | 'ready';
  /** scope 'all': the one worker this copy is for. */
  w: string | null;
  /** uniqueKey, when singularlyEnqueue/singularlyRun may consult it. */
  k: string | null;
  sr: boolean;
}

export interface StartedEntry { w: string; lease: number; k: string | null; sr: boolean; at: number }

export interface QueueDoc {
  name: string;
  declared: boolean;
  interests: InterestMap | null;
  policy: QueuePolicy;
  rate: { tokens: number; atMs: number } | null;
  nextSeq: number;
  counts: Record<TaskState, number>;
  totals: Totals;
  waiting: WaitEntry[];
  started: Record<string, StartedEntry>;
  /** worker ids registered on this queue (scope 'all' copies, DELETE /worker?queue=). */
  workers: string[];
  /** Minutes that have a finished-tasks document, oldest first. */
  finishedMinutes: number[];
}

export const emptyTotals = (): Totals => ({ published: 0, started: 0, succeeded: 0, failed: 0, retried: 0 });

export function newQueueDoc(name: string, declared: boolean): QueueDoc {
  return {
    name, declared, interests: null, policy: { ...DEFAULT_POLICY }, rate: null, nextSeq: 1,
    counts: emptyCounts(), totals: emptyTotals(), waiting: [], started: {}, workers: [], finishedMinutes: [],
  };
}

/** Claim order: priority descending, then due time, then arrival. */
export function compareWaiting(a: WaitEntry, b: WaitEntry): number {
  return b.p - a.p || a.r - b.r || a.s - b.s;
}

/** Inserts in claim order (binary search: appends of equal priority and due time are O(log n)). */
export function insertWaiting(q: QueueDoc, e: Omit<WaitEntry, 's'>): WaitEntry {
  const entry: WaitEntry = { ...e, s: q.nextSeq++ };
  let lo = 0; let hi = q.waiting.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareWaiting(q.waiting[mid]!, entry) <= 0) lo = mid + 1; else hi = mid;
  }
  q.waiting.splice(lo, 0, entry);
  return entry;
}

/** Removes a waiting entry by task id; returns it, or undefined when the task is not waiting here. */
export function removeWaiting(q: QueueDoc, taskId: string): WaitEntry | undefined {
  const i = q.waiting.findIndex((e) => e.id === taskId);
  if (i < 0) return undefined;
  return q.waiting.splice(i, 1)[0];
}

/** How many tasks this queue may start now, and the bucket refilled to nowMs (token bucket, one second deep). */
export function roomToStart(q: QueueDoc, wanted: number, nowMs: number): { room: number; tokens: number } {
  if (q.policy.paused) return { room: 0, tokens: 0 };
  let room = wanted;
  if (q.policy.concurrency !== null) room = Math.min(room, q.policy.concurrency - q.counts.started);
  let tokens = Infinity;
  if (q.policy.rateLimit !== null) {
    const rate = q.policy.rateLimit;
    const last = q.rate ?? { tokens: rate, atMs: nowMs };
    tokens = Math.min(rate, last.tokens + (Math.max(0, nowMs - last.atMs) * rate) / 1000);
    room = Math.min(room, Math.floor(tokens));
  }
  return { room: Math.max(0, room), tokens };
}

/** The waiting entries a worker may start now, in claim order: ready (or scheduled and due), for it
 *  (or for anyone), and not blocked by singularlyRun (a key started in this queue, or picked earlier in this same claim). */
export function pickClaimable(q: QueueDoc, workerId: string, room: number, nowMs: number): WaitEntry[] {
  const picked: WaitEntry[] = [];
  if (room <= 0) return picked;
  const keysStarted = new Set(Object.values(q.started).filter((s) => s.sr && s.k !== null).map((s) => s.k!));
  for (const e of q.waiting) {
    if (picked.length >= room) break;
    if (e.st === 'scheduled' && e.r > nowMs) continue;
    if (e.w !== null && e.w !== workerId) continue;
    if (e.sr && e.k !== null) {
      if (keysStarted.has(e.k)) continue;
      keysStarted.add(e.k);
    }
    picked.push(e);
  }
  return picked;
}

export function hasWaitingKey(q: QueueDoc, key: string): boolean {
  return q.waiting.some((e) => e.k === key);
}
