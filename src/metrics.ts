// Prometheus metrics. Totals and queue lengths are read from the store at scrape time, so every node
// reports the same numbers; latency histograms are observed by the node that served the request.
import type { MatchedInterest } from './model.js';
import client from 'prom-client';
import type { Store } from './store/store.js';
import { TASK_STATES } from './lifecycle/states.js';
import type { FinishedAs, StatsdSink } from './statsd.js';

export class BrokerMetrics {
  readonly registry = new client.Registry();
  /** StatsD, when STATSD_HOST is set: the same moments, sent out as they happen. */
  statsd: StatsdSink | null = null;
  private readonly taskSeconds: client.Histogram<'queue' | 'outcome'>;
  private readonly enqueueToStartSeconds: client.Histogram<'queue'>;
  private readonly events: client.Counter<'outcome'>;
  private readonly fastPostErrors: client.Counter;
  private readonly scheduleFires: client.Counter<'schedule' | 'kind'>;
  private readonly schedulerPasses: client.Counter;
  private readonly pushAttempts: client.Counter<'queue' | 'outcome'>;
  private readonly pushSeconds: client.Histogram<'queue' | 'outcome'>;
  private readonly limiterWaits: client.Counter<'queue' | 'limit'>;
  private readonly interestMatches: client.Counter<'queue' | 'clause'>;

  /** waitingPolls: how many long polls this node holds now. */
  constructor(store: Store, waitingPolls: () => number = () => 0) {
    const r = this.registry;
    const buckets = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60, 300, 1800];
    this.taskSeconds = new client.Histogram({ name: 'switchyard_task_seconds', help: 'Time from start to report, per queue', labelNames: ['queue', 'outcome'], buckets, registers: [r] });
    this.enqueueToStartSeconds = new client.Histogram({ name: 'switchyard_enqueue_to_start_seconds', help: 'Time from due to started, per queue', labelNames: ['queue'], buckets, registers: [r] });
    this.events = new client.Counter({ name: 'switchyard_events_total', help: 'Events published through this node, by outcome', labelNames: ['outcome'], registers: [r] });
    this.fastPostErrors = new client.Counter({ name: 'switchyard_fast_post_errors_total', help: 'fastPost events that failed after their 202 on this node', registers: [r] });
    this.scheduleFires = new client.Counter({ name: 'switchyard_schedule_fires_total', help: 'Schedule ticks this node published: on_time, or catch_up (one firing for ticks missed while no node ran)', labelNames: ['schedule', 'kind'], registers: [r] });
    this.schedulerPasses = new client.Counter({ name: 'switchyard_scheduler_passes_total', help: 'Scheduler passes this node finished (one a second while it runs)', registers: [r] });
    this.pushAttempts = new client.Counter({ name: 'switchyard_push_attempts_total', help: 'Push deliveries by this node per queue: success, http_error, timeout, connection_error', labelNames: ['queue', 'outcome'], registers: [r] });
    this.pushSeconds = new client.Histogram({ name: 'switchyard_push_seconds', help: 'Time from sending a push to its answer, per queue and outcome', labelNames: ['queue', 'outcome'], buckets, registers: [r] });
    this.interestMatches = new client.Counter({ name: 'switchyard_interest_matches_total', help: 'Events this node routed to a queue, by the interest that took them: a clause\'s index, key:<keyPattern> for a pair, or *', labelNames: ['queue', 'clause'], registers: [r] });
    this.limiterWaits = new client.Counter({ name: 'switchyard_limiter_waits_total', help: 'Times this node found a queue with ready tasks held by its concurrency or rate limit', labelNames: ['queue', 'limit'], registers: [r] });
    const totals = (name: string, help: string, field: 'published' | 'started' | 'succeeded' | 'failed' | 'retried') =>
      new client.Counter({
        name, help, labelNames: ['queue'], registers: [r],
        async collect() {
          this.reset();
          for (const [queue, t] of Object.entries(await store.totals())) this.inc({ queue }, t[field]);
        },
      });
    totals('switchyard_tasks_published_total', 'Tasks created per queue (one per interested queue and event)', 'published');
    totals('switchyard_tasks_started_total', 'Tasks handed to workers per queue', 'started');
    totals('switchyard_tasks_succeeded_total', 'Tasks reported successful per queue', 'succeeded');
    totals('switchyard_tasks_failed_total', 'Tasks moved to the failed queue per queue', 'failed');
    totals('switchyard_tasks_retried_total', 'Failed or expired attempts put back to wait per queue', 'retried');
    new client.Gauge({
      name: 'switchyard_long_polls_waiting', help: 'GET /task long polls this node holds open now (idle workers)', registers: [r],
      collect() { this.set(waitingPolls()); },
    });
    new client.Gauge({
      name: 'switchyard_queue_length', help: 'Waiting tasks (ready + scheduled) per queue', labelNames: ['queue'], registers: [r],
      async collect() {
        this.reset();
        for (const q of await store.queueSummaries()) this.set({ queue: q.name }, q.counts.ready + q.counts.scheduled);
      },
    });
    new client.Gauge({
      name: 'switchyard_tasks', help: 'Stored tasks per queue and state', labelNames: ['queue', 'state'], registers: [r],
      async collect() {
        this.reset();
        for (const q of await store.queueSummaries()) for (const s of TASK_STATES) this.set({ queue: q.name, state: s }, q.counts[s]);
      },
    });
    new client.Gauge({
      name: 'switchyard_unrouted_events', help: 'Events no queue wanted, kept (GET /unrouted)', registers: [r],
      async collect() { this.set(await store.countEvents('unrouted')); },
    });
  }

  published(outcome: 'stored' | 'discarded' | 'replayed'): void { this.events.inc({ outcome }); }
  fastPostError(): void { this.fastPostErrors.inc(); }
  scheduleFired(schedule: string, kind: 'on_time' | 'catch_up'): void { this.scheduleFires.inc({ schedule, kind }); }
  schedulerPassed(): void { this.schedulerPasses.inc(); }
  pushed(queue: string, outcome: string, tookMs: number): void {
    this.pushAttempts.inc({ queue, outcome });
    this.pushSeconds.observe({ queue, outcome }, Math.max(0, tookMs) / 1000);
  }
  limiterWait(queue: string, limit: string): void { this.limiterWaits.inc({ queue, limit }); }
  /** Tasks a publish created in a queue (Prometheus reads these totals from the store). */
  tasksPublished(queue: string, n: number): void { this.statsd?.tasksPublished(queue, n); }
  /** One event routed to the queue by this interest (direct publishes name none). */
  interestMatched(queue: string, interest: MatchedInterest): void {
    const clause = interest === '*' ? '*' : 'clause' in interest ? String(interest.clause) : `key:${interest.keyPattern.slice(0, 100)}`;
    this.interestMatches.inc({ queue, clause });
  }
  started(queue: string, waitedMs: number): void {
    this.enqueueToStartSeconds.observe({ queue }, Math.max(0, waitedMs) / 1000);
    this.statsd?.started(queue, waitedMs);
  }
  finished(queue: string, as: FinishedAs, tookMs: number): void {
    this.taskSeconds.observe({ queue, outcome: as === 'succeeded' ? 'success' : 'fail' }, Math.max(0, tookMs) / 1000);
    this.statsd?.finished(queue, as, tookMs);
  }

  text(): Promise<string> { return this.registry.metrics(); }
  get contentType(): string { return this.registry.contentType; }
}
