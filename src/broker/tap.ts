// The live tap (GET /tap): routing decisions as this node makes them, to whoever listens, filtered
// and sampled per listener, with the fields SWITCHYARD_TAP_REDACT names replaced. Nothing is kept:
// with no listener a publish builds no decision at all.
import type { MatchedInterest, NewEvent } from '../model.js';

export interface TapDecision {
  eventId: string;
  publisher: string;
  /** Unix seconds. */
  at: number;
  /** The event's data, the redacted fields replaced. */
  data: Record<string, unknown>;
  /** Where it went, and by which interest; empty when no queue wanted it. */
  queues: { queue: string; interest: MatchedInterest | 'direct' }[];
  unrouted: boolean;
}

export interface TapFilter { queue?: string; publisher?: string; rate?: number }

export const REDACTED = '[redacted]';

interface Listener { filter: TapFilter; send: (d: TapDecision) => void; end: () => void }

export class RoutingTap {
  private readonly listeners = new Set<Listener>();

  /** redact: dot paths of data fields never shown (e.g. user.email, card). */
  constructor(private readonly redact: readonly string[] = []) {}

  get active(): boolean { return this.listeners.size > 0; }

  /** Starts sending matching decisions (end: called at shutdown); returns the call that stops it. */
  listen(filter: TapFilter, send: (d: TapDecision) => void, end: () => void): () => void {
    const l = { filter, send, end };
    this.listeners.add(l);
    return () => { this.listeners.delete(l); };
  }

  /** The decisions of stored publishes (replays are not new decisions); callers ask `active` first,
   *  so a publish with no listener builds nothing. */
  published(events: readonly NewEvent[], nowMs: number): void {
    for (const e of events) {
      const decision: TapDecision = {
        eventId: e.eventId, publisher: e.publisher, at: nowMs / 1000, data: redacted(e.data, this.redact),
        queues: e.routes.map((r) => ({ queue: r.queue, interest: r.route.interest })), unrouted: e.routes.length === 0,
      };
      for (const l of this.listeners) if (wants(l.filter, decision)) l.send(decision);
    }
  }

  /** Shutdown: every listener's stream ends. */
  close(): void {
    for (const l of this.listeners) l.end();
    this.listeners.clear();
  }
}

function wants(f: TapFilter, d: TapDecision): boolean {
  if (f.publisher !== undefined && d.publisher !== f.publisher) return false;
  if (f.queue !== undefined && !d.queues.some((q) => q.queue === f.queue)) return false;
  return f.rate === undefined || f.rate >= 1 || Math.random() < f.rate;
}

/** A copy of data with each named dot path's value replaced (arrays: in every item). */
export function redacted(data: Record<string, unknown>, paths: readonly string[]): Record<string, unknown> {
  if (!paths.length) return data;
  const copy = structuredClone(data);
  for (const path of paths) {
    const steps = path.split('.');
    const walk = (node: unknown, i: number): void => {
      if (Array.isArray(node)) { for (const item of node) walk(item, i); return; }
      if (node === null || typeof node !== 'object' || !Object.hasOwn(node, steps[i]!)) return;
      const o = node as Record<string, unknown>;
      if (i === steps.length - 1) o[steps[i]!] = REDACTED;
      else walk(o[steps[i]!], i + 1);
    };
    walk(copy, 0);
  }
  return copy;
}
