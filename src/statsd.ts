// StatsD out (STATSD_HOST): each node sends what it did (tasks published, started, succeeded, failed
// and retried per queue; time per task and wait before start as timers) as it happens, and the
// queue lengths and worker count as gauges every STATSD_INTERVAL. UDP through hot-shots, buffered:
// a dead or missing StatsD costs a dropped datagram, never a slower or failed request.
import StatsDClient, { type StatsD } from 'hot-shots';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import type { Store } from './store/store.js';

type Settings = NonNullable<Config['statsd']>;

/** A finished attempt as StatsD counts it: the state the report left the task in. */
export type FinishedAs = 'succeeded' | 'failed' | 'retried';

export class StatsdSink {
  private readonly client: StatsD;
  private readonly tagged: boolean;
  private timer: NodeJS.Timeout | null = null;
  private warned = false;

  constructor(private readonly settings: Settings, private readonly log: Logger) {
    this.tagged = settings.tags !== null;
    this.client = new StatsDClient({
      host: settings.host, port: settings.port, prefix: settings.prefix,
      globalTags: [...(settings.tags ?? [])], includeDataDogTags: false,
      // A busy node makes several metrics a task, and one datagram each would cost more than the
      // task: counts are summed for a second, and datagrams carry ~1,400 bytes (under a network's
      // MTU) or leave every 200 ms.
      aggregation: { flushInterval: 1000 }, maxBufferSize: 1400, bufferFlushInterval: 200, cacheDns: true,
      errorHandler: (e) => this.failed(e),
    });
  }

  tasksPublished(queue: string, n = 1): void { this.count('published', queue, n); }

  started(queue: string, waitedMs: number): void {
    this.count('started', queue, 1);
    this.time('wait', queue, waitedMs);
  }

  finished(queue: string, as: FinishedAs, tookMs: number): void {
    this.count(as, queue, 1);
    this.time('duration', queue, tookMs);
  }

  /** Sends the gauges now and every STATSD_INTERVAL until stop(). */
  start(store: Store): void {
    const send = async () => {
      try {
        for (const q of await store.queueSummaries()) this.gauge('length', q.name, q.counts.ready + q.counts.scheduled);
        this.client.gauge('workers', await store.countWorkers());
      } catch (e) {
        this.failed(e as Error);
      }
    };
    void send();
    this.timer = setInterval(() => void send(), this.settings.intervalSeconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await new Promise<void>((resolve) => this.client.close(() => resolve()));
  }

  // Plain StatsD has no tags: the queue goes into the name (queue.<name>.<what>), made safe for it.
  private name(what: string, queue: string): string { return this.tagged ? `tasks.${what}` : `queue.${queue.replace(/[^A-Za-z0-9_-]/g, '_')}.${what}`; }
  private tags(queue: string): string[] | undefined { return this.tagged ? [`queue:${queue}`] : undefined; }
  // No per-call sample rate: with one, hot-shots would not sum counts.
  private count(what: string, queue: string, n: number): void { this.client.increment(this.name(what, queue), n, this.tags(queue)); }
  private time(what: string, queue: string, ms: number): void { this.client.timing(this.name(what, queue), Math.max(0, ms), this.tags(queue)); }
  private gauge(what: string, queue: string, value: number): void {
    this.client.gauge(this.tagged ? `queue.${what}` : this.name(what, queue), value, this.tags(queue));
  }

  /** Said once at warn level (a StatsD that is down fails every send), then at debug. */
  private failed(e: Error): void {
    if (this.warned) { this.log.debug('statsd send failed', { error: e.message }); return; }
    this.warned = true;
    this.log.warn('statsd: cannot send metrics (the broker goes on without them)', { error: e.message, host: this.settings.host, port: this.settings.port });
  }
}
