// What routing leaves in the store, shared by every node: a bounded sample of recent events (for
// what-if), the events no queue wanted (unrouted), and how often each interest matched. Sample and
// counts are gathered here and written once a second (flush): a publish pays no write for them, and
// a crash loses at most that second of them. Unrouted events are written before their answer.
import type { Store } from '../store/store.js';
import type { LoggedEvent, MatchedInterest, NewEvent } from '../model.js';
import { interestKey } from '../routing/health.js';

/** An event whose data is longer than this, as JSON, is not sampled: the sample stays small. */
export const SAMPLE_DATA_MAX_CHARS = 8192;
/** samplePerSecond: events a node adds to the sample each second (its flush), at most: beyond, a
 *  uniform choice of them (reservoir). At 1,000 a second the flush's inserts and trim held the event
 *  loop 10-25 ms each second, the longest stall of a paced run; at 100, a 10,000 sample spans 100 s of
 *  a busy node. */
export const DEFAULTS = { sampleEvents: 10_000, samplePerSecond: 100, unroutedKeepSeconds: 86_400, unroutedMax: 100_000 } as const;
export type RecordSettings = { [K in keyof typeof DEFAULTS]: number };
/** The settings given, DEFAULTS for the rest. */
export const recordSettings = (given: Partial<RecordSettings>): RecordSettings =>
  Object.fromEntries(Object.entries(DEFAULTS).map(([k, v]) => [k, given[k as keyof RecordSettings] ?? v])) as RecordSettings;

export const loggedEvent = (e: NewEvent, atMs: number): LoggedEvent => ({
  eventId: e.eventId, publisher: e.publisher, data: e.data, atMs,
  options: { priority: e.priority, scope: e.scope, maxAttempts: e.maxAttempts, traceparent: e.traceparent },
});

export class RoutingRecords {
  private sample: LoggedEvent[] = [];
  private seen = 0;
  private matches = new Map<string, { queue: string; interest: string; count: number; lastMatchMs: number }>();

  constructor(private readonly store: Store, readonly settings: RecordSettings) {}

  /** Offers published events (routed by interest, stored) to the sample. */
  sampled(events: readonly NewEvent[], atMs: number): void {
    if (this.settings.sampleEvents === 0) return;
    for (const e of events) {
      const at = this.seen++ < this.settings.samplePerSecond ? this.sample.length : Math.floor(Math.random() * this.seen);
      if (at >= this.settings.samplePerSecond) continue;
      if (JSON.stringify(e.data).length > SAMPLE_DATA_MAX_CHARS) continue;
      this.sample[at] = loggedEvent(e, atMs);
    }
  }

  matched(queue: string, interest: Exclude<MatchedInterest, 'direct'>, atMs: number): void {
    const key = interestKey(interest);
    const id = `${queue}\u0000${key}`;
    const m = this.matches.get(id);
    if (m) { m.count++; m.lastMatchMs = atMs; } else this.matches.set(id, { queue, interest: key, count: 1, lastMatchMs: atMs });
  }

  /** Keeps events no queue wanted, before their publish is answered. */
  async keepUnrouted(events: readonly NewEvent[], nowMs: number): Promise<void> {
    if (!events.length || this.settings.unroutedKeepSeconds === 0) return;
    await this.store.appendEvents('unrouted', events.map((e) => loggedEvent(e, nowMs)), this.unroutedKeep(nowMs));
  }

  unroutedKeep(nowMs: number): { count: number; sinceMs: number } {
    return { count: this.settings.unroutedMax, sinceMs: nowMs - this.settings.unroutedKeepSeconds * 1000 };
  }

  /** Writes what was gathered since the last flush (each node once a second). On a failure the
   *  counts are put back, the sample is let go. */
  async flush(): Promise<void> {
    const sample = this.sample.filter(Boolean).sort((a, b) => a.atMs - b.atMs);
    const matches = [...this.matches.values()];
    this.sample = [];
    this.seen = 0;
    this.matches = new Map();
    if (sample.length) await this.store.appendEvents('sample', sample, { count: this.settings.sampleEvents, sinceMs: 0 });
    try {
      if (matches.length) await this.store.addInterestMatches(matches);
    } catch (e) {
      for (const m of matches) {
        const id = `${m.queue}\u0000${m.interest}`;
        const now = this.matches.get(id);
        if (now) { now.count += m.count; now.lastMatchMs = Math.max(now.lastMatchMs, m.lastMatchMs); } else this.matches.set(id, m);
      }
      throw e;
    }
  }
}
