// Routing health, from what every node reads alike (queue summaries and registered workers): queues
// whose tasks nobody takes, and queues starved by the order workers take their queues in. Pure.
import type { QueueSummary, WorkerRecord } from '../model.js';

export type RoutingWarning =
  /** Tasks come (interests, or waiting tasks) but no worker serves the queue and it pushes nowhere. */
  | { kind: 'unserved'; queue: string; waiting: number; hasInterests: boolean }
  /** Ready tasks wait while every worker serving the queue has a higher queue with ready tasks of its own. */
  | { kind: 'starved'; queue: string; ready: number; behind: string[] };

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
