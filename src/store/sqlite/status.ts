// Status reads: queue summaries, totals, throughput, counters.
import { emptyCounts } from '../../lifecycle/states.js';
import { DEFAULT_POLICY, type QueueSummary, type ThroughputMinute, type Totals, type TaskState } from '../store.js';
import { toPolicy, rateOf, type QueueRow } from './rows.js';
import { SqliteArea, type Prepare, type SqliteConnection } from './connection.js';

/** The statements this area prepares, besides the connection's shared ones. */
const statements = (p: Prepare) => ({
  allQueues: p(`SELECT * FROM queues`),
  counts: p(`SELECT queue, state, n FROM task_counts WHERE n > 0`),
  workerQueueNames: p(`SELECT DISTINCT queue FROM worker_queues`).pluck(),
  totals: p(`SELECT * FROM queue_totals`),
  addCounter: p(`INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT DO UPDATE SET value = value + excluded.value`),
  counter: p(`SELECT value FROM counters WHERE name = ?`).pluck(),
  countQueues: p(`SELECT count(*) FROM queues`).pluck(),
});

export class SqliteStatus extends SqliteArea<ReturnType<typeof statements>> {
  constructor(c: SqliteConnection) {
    super(c, statements);
  }

  countQueues(): Promise<number> {
    return this.run(() => this.st.countQueues.get() as number);
  }

  readyCounts(queues: readonly string[]): Promise<Map<string, number>> {
    return this.run(() => new Map(queues.map((q) => [q, (this.st.countInState.get(q, 'ready') as number | undefined) ?? 0])));
  }

  queueSummaries(queue?: string): Promise<QueueSummary[]> {
    return this.run(() => this.db.transaction(() => {
      const byName = new Map<string, QueueSummary>();
      const get = (name: string) => {
        let s = byName.get(name);
        if (!s) { s = { name, counts: emptyCounts(), policy: { ...DEFAULT_POLICY }, declared: false, interests: null, rate: null }; byName.set(name, s); }
        return s;
      };
      for (const q of this.st.allQueues.all() as QueueRow[]) {
        const s = get(q.queue);
        s.declared = true; s.policy = toPolicy(q); s.interests = q.interests === null ? null : JSON.parse(q.interests); s.rate = rateOf(q);
      }
      for (const c of this.st.counts.all() as { queue: string; state: TaskState; n: number }[]) get(c.queue).counts[c.state] = c.n;
      for (const name of this.st.workerQueueNames.all() as string[]) get(name);
      const all = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return queue === undefined ? all : all.filter((s) => s.name === queue);
    })());
  }

  totals(): Promise<Record<string, Totals>> {
    return this.run(() => {
      const out: Record<string, Totals> = {};
      for (const r of this.st.totals.all() as (Totals & { queue: string })[]) {
        out[r.queue] = { published: r.published, started: r.started, succeeded: r.succeeded, failed: r.failed, retried: r.retried };
      }
      return out;
    });
  }

  throughput(sinceMs: number, nowMs: number, queue?: string): Promise<ThroughputMinute[]> {
    void nowMs; // every stored minute since sinceMs is answered; nothing later exists
    return this.run(() => this.db.prepare(`SELECT minute_ms AS minuteMs, sum(published) AS published, sum(started) AS started,
      sum(succeeded) AS succeeded, sum(failed) AS failed, sum(retried) AS retried FROM throughput
      WHERE minute_ms >= ? ${queue === undefined ? '' : 'AND queue = ?'} GROUP BY minute_ms ORDER BY minute_ms`)
      .all(...(queue === undefined ? [sinceMs] : [sinceMs, queue])) as ThroughputMinute[]);
  }

  async addToCounter(name: string, by: number): Promise<void> {
    await this.write(() => this.st.addCounter.run(name, by));
  }

  counter(name: string): Promise<number> {
    return this.run(() => (this.st.counter.get(name) as number | undefined) ?? 0);
  }
}
