// Status reads: queue summaries, totals, throughput, counters.
import { minuteOf } from './keys.js';
import { DEFAULT_POLICY, type QueueSummary, type ThroughputMinute, type Totals } from '../store.js';
import { emptyTotals } from './queue-doc.js';
import { type TotalsField } from './docs.js';
import { CouchbaseArea } from './documents.js';

export class CouchbaseStatus extends CouchbaseArea {
  async countQueues(): Promise<number> {
    return (await this.queueNames()).length;
  }

  async readyCounts(queues: readonly string[]): Promise<Map<string, number>> {
    return this.guard(async () => {
      const read = await Promise.all(queues.map((n) => this.readQueue(n)));
      return new Map(queues.map((n, i) => [n, read[i]?.counts.ready ?? 0]));
    });
  }

  async queueSummaries(queue?: string): Promise<QueueSummary[]> {
    return this.guard(async () => {
      const names = queue === undefined ? await this.queueNames() : [queue];
      const queues = (await Promise.all(names.map((n) => this.readQueue(n)))).filter((r) => r !== null);
      return queues
        // Like SQLite: declared queues, and queues that tasks or workers name.
        .filter(({ head: q, counts }) => q.declared || q.workers.length > 0 || Object.values(counts).some((c) => c > 0))
        .map(({ head: q, counts }) => ({ name: q.name, counts, policy: { ...DEFAULT_POLICY, ...(q.declared ? q.policy : {}) }, declared: q.declared, interests: q.interests, rate: q.rate }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    });
  }

  async totals(): Promise<Record<string, Totals>> {
    return this.guard(async () => {
      const queues = await Promise.all((await this.queueNames()).map((n) => this.readQueue(n)));
      const out: Record<string, Totals> = {};
      for (const r of queues) if (r && Object.values(r.totals).some((v) => v > 0)) out[r.head.name] = r.totals;
      return out;
    });
  }

  async throughput(sinceMs: number, nowMs: number, queue?: string): Promise<ThroughputMinute[]> {
    return this.guard(async () => {
      // One document a minute: from sinceMs to now (at least an hour's worth, at most a day's).
      const first = minuteOf(sinceMs) + (sinceMs % 60_000 === 0 ? 0 : 60_000);
      const span = Math.min(24 * 60, Math.max(60, Math.ceil((nowMs - first) / 60_000) + 1));
      const minutes = Array.from({ length: span }, (_, i) => first + i * 60_000);
      const docs = await Promise.all(minutes.map((m) => this.getDoc<Record<string, Totals>>(this.keys.throughput(m))));
      const out: ThroughputMinute[] = [];
      docs.forEach((d, i) => {
        if (!d) return;
        const sum = { minuteMs: minutes[i]!, ...emptyTotals() };
        for (const [name, t] of Object.entries(d)) {
          if (queue !== undefined && name !== queue) continue;
          for (const f of Object.keys(t) as TotalsField[]) sum[f] += t[f] ?? 0;
        }
        out.push(sum);
      });
      return out;
    });
  }

  async addToCounter(name: string, by: number): Promise<void> {
    await this.guard(() => this.c.coll.binary().increment(this.keys.counter(name), by, { initial: by, durabilityLevel: this.c.durabilityLevel }));
  }

  async counter(name: string): Promise<number> {
    return this.guard(async () => {
      const raw = await this.getDoc<number | string>(this.keys.counter(name));
      return raw === null ? 0 : Number(raw);
    });
  }
}
