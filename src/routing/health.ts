// Routing health, from what every node reads alike (queue summaries and registered workers): queues
// whose tasks nobody takes, and queues starved by the order workers take their queues in. Pure.
import type { InterestMap, InterestMatchCount, MatchedInterest, QueueSummary, WorkerRecord } from '../model.js';

/** An interest fed the hour's events nothing for this long: a warning, once the interest is this old. */
export const UNMATCHED_AFTER_MS = 3_600_000;

export type RoutingWarning =
  /** Tasks come (interests, or waiting tasks) but no worker serves the queue and it pushes nowhere. */
  | { kind: 'unserved'; queue: string; waiting: number; hasInterests: boolean }
  /** Ready tasks wait while every worker serving the queue has a higher queue with ready tasks of its own. */
  | { kind: 'starved'; queue: string; ready: number; behind: string[] }
  /** Events flowed in the last hour, and this interest (a pair, a clause) took none of them. */
  | { kind: 'unmatched'; queue: string; interest: string; lastMatchAt: number | null; eventsLastHour: number };

/** The name an interest's match counts are kept under: its JSON text ("*", a pair, a clause), so a
 *  changed interest starts again from nothing. */
export function interestKey(interest: Exclude<MatchedInterest, 'direct'>): string {
  if (interest === '*') return '*';
  return 'clause' in interest ? JSON.stringify(interest.conditions) : JSON.stringify({ [interest.keyPattern]: interest.valuePattern });
}

/** Every interest of a map, named as interestKey names the one that matched. */
export function interestKeysOf(interests: InterestMap): string[] {
  if (interests === '*') return ['*'];
  if (Array.isArray(interests)) return interests.map((c) => JSON.stringify(c));
  return Object.entries(interests).map(([k, v]) => JSON.stringify({ [k]: v }));
}

/** Interests that took no event in the last hour while eventsLastHour events were published (the
 *  caller then leaves out those changed within the hour: they had no hour to match in). */
export function unmatchedInterests(queues: readonly QueueSummary[], matches: readonly InterestMatchCount[], eventsLastHour: number, nowMs: number): RoutingWarning[] {
  if (eventsLastHour === 0) return [];
  const last = new Map(matches.map((m) => [`${m.queue}\u0000${m.interest}`, m.lastMatchMs]));
  const out: RoutingWarning[] = [];
  for (const q of queues) {
    if (q.interests === null) continue;
    for (const interest of interestKeysOf(q.interests)) {
      const at = last.get(`${q.name}\u0000${interest}`);
      if (at === undefined || at < nowMs - UNMATCHED_AFTER_MS) out.push({ kind: 'unmatched', queue: q.name, interest, lastMatchAt: at === undefined ? null : at / 1000, eventsLastHour });
    }
  }
  return out;
}

export function routingWarnings(queues: readonly QueueSummary[], workers: readonly WorkerRecord[]): RoutingWarning[] {
  const byName = new Map(queues.map((q) => [q.name, q]));
  const takes = (name: string) => { const q = byName.get(name); return q !== undefined && q.counts.ready > 0 && !q.policy.paused; };
  // Who serves each queue, from one pass over the workers (the overview asks this every refresh).
  const servedBy = new Map<string, WorkerRecord[]>();
  for (const w of workers) {
    for (const name of w.queues) {
      const list = servedBy.get(name);
      if (list) list.push(w); else servedBy.set(name, [w]);
    }
  }
  const out: RoutingWarning[] = [];
  for (const q of queues) {
    const serving = servedBy.get(q.name) ?? [];
    const waiting = q.counts.ready + q.counts.scheduled;
    if (!serving.length && q.policy.pushUrl === null && (waiting > 0 || q.interests !== null)) {
      out.push({ kind: 'unserved', queue: q.name, waiting, hasInterests: q.interests !== null });
      continue;
    }
    if (!serving.length || !takes(q.name)) continue;
    const ahead = serving.map((w) => w.queues.slice(0, w.queues.indexOf(q.name)).filter(takes));
    if (ahead.every((a) => a.length > 0)) out.push({ kind: 'starved', queue: q.name, ready: q.counts.ready, behind: [...new Set(ahead.flat())].sort() });
  }
  return out;
}
