// A worker process's loop: one broker worker over queues in priority order, each queue with its own
// concurrency in this process; one long poll at a time, and report batches that carry the next
// claim, for as many tasks as the queues have room for (free slots plus a prefetch: slots.ts);
// handlers whose return is a success and whose throw is a fail; leases kept by progress; reports
// retried until the broker answers them; a graceful stop.
import { EventEmitter } from 'node:events';
import { Connection, type ConnectionOptions } from './connection.js';
import { SwitchyardError } from './errors.js';
import { Reporter } from './reporter.js';
import { WorkerStats, type QueueStats } from './stats.js';
import { MAX_RIDING_CLAIM, Slots, controllerOf, type Ask, type Held, type QueueSlots, type QueueSpec } from './slots.js';
import type { Task, Worker as WorkerRecord, ReportAnswer } from './types.js';

export interface HandlerContext {
  /** Aborted when the task's lease is lost or stop's deadline passes: stop work, the task is not yours. */
  signal: AbortSignal;
  /** Keeps the lease (the worker also does it by itself, at half the lease). */
  progress: () => Promise<void>;
}
export type Handler = (task: Task, ctx: HandlerContext) => unknown;

export interface WorkerOptions extends ConnectionOptions {
  /** Queues in priority order: a name (concurrency 1) or {name, concurrency, prefetch}. */
  queues: (string | QueueSpec)[];
  /** Per queue, how many claimed tasks may wait here for a free slot (leased, not yet started), so
   *  a freed slot starts at once. Default: sized to what the queue gets through in three round trips
   *  (none for slow handlers); 0 claims only for free slots. On stop, waiting tasks go back. */
  prefetch?: number;
  handler: Handler;
  name?: string;
  /** Seconds a poll waits for work (10; the broker allows 30). */
  waitSeconds?: number;
  /** Stop gracefully on SIGTERM and SIGINT (with stopTimeoutMs). */
  handleSignals?: boolean;
  stopTimeoutMs?: number;
}

export class Worker extends EventEmitter {
  readonly connection: Connection;
  private readonly slots: Slots;
  /** Started and not yet ended (waiting ones are in their queue's list). */
  private readonly running = new Map<string, Held>();
  private readonly stats_ = new WorkerStats();
  private readonly reporter: Reporter;
  private id: string | null = null;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private poll: AbortController | null = null;
  private changed: (() => void) | null = null;
  private readonly onSignal = () => { void this.stop(); };

  constructor(private readonly opts: WorkerOptions) {
    super();
    this.connection = new Connection(opts);
    if (!opts.queues.length) throw new TypeError('a Worker needs at least one queue');
    this.slots = new Slots(opts.queues, opts.prefetch);
    // A busy worker's report batches carry its next claim (one round trip, one commit for both).
    this.reporter = new Reporter(this.connection, (e) => this.warn(e), {
      ask: (workerId) => (this.stopping || workerId !== this.id ? null : this.slots.ask(MAX_RIDING_CLAIM)),
      answered: (ask, tasks, workerId) => this.answered(ask, tasks, workerId),
      roundTrip: (ms) => this.slots.roundTrip(ms),
      settled: () => this.wake(),
    });
  }

  get workerId(): string | null { return this.id; }

  /** Registers the worker and starts taking tasks; resolves once registered. */
  async start(): Promise<this> {
    await this.register();
    if (this.opts.handleSignals) { process.once('SIGTERM', this.onSignal); process.once('SIGINT', this.onSignal); }
    this.loop = this.run().catch((e) => { this.warn(e); });
    return this;
  }

  private async register(): Promise<void> {
    const w = await this.connection.request<WorkerRecord>('PUT', '/worker', { body: { queues: this.slots.queues.map((q) => q.name), ...(this.opts.name ? { name: this.opts.name } : {}) } });
    this.id = w.workerId;
  }

  /** Per queue: processed, failed, running, waiting, tasks a second and milliseconds a task. */
  stats(): Record<string, QueueStats> {
    return this.stats_.snapshot(this.slots.queues.map((q) => q.name), this.slots.runningCounts(), this.slots.waitingCounts());
  }

  /** The 'stats' event, at most once a second (after the task that ends a quiet second). */
  private statsDue(): void {
    if (this.statsTimer) return;
    this.statsTimer = setTimeout(() => { this.statsTimer = null; this.emit('stats', this.stats()); }, 1000);
    this.statsTimer.unref();
  }

  private statsTimer: NodeJS.Timeout | null = null;

  /** Wakes the loop: a slot freed, a claim answered, a report answered (there may be room to ask for more). */
  private wake(): void { this.changed?.(); this.changed = null; }

  /** The long poll: one at a time, for the room no claim in flight covers. */
  private async run(): Promise<void> {
    while (!this.stopping) {
      // While report batches travel, their claims keep a busy worker fed: the long poll is for idle times.
      const ask = this.reporter.busy ? null : this.slots.ask();
      if (!ask) {
        await new Promise<void>((r) => { this.changed = r; });
        // Handlers that end together free their slots in the same turn: claim for all of them at once.
        await new Promise((r) => setImmediate(r));
        continue;
      }
      this.poll = new AbortController();
      const workerId = this.id!;
      let tasks: Task[] = [];
      try {
        tasks = (await this.connection.request<{ tasks: Task[] }>('GET', '/task', {
          query: { workerId, wait: this.opts.waitSeconds ?? 10, count: ask.count, queues: ask.queues },
          signal: this.poll.signal, retry: Infinity,
        })).tasks;
      } catch (e) {
        this.slots.answered(ask, []);
        if (this.stopping) break;
        // Reaped while away (the broker removed an idle worker and took its tasks back): drop what
        // waits here, register again and go on.
        if (e instanceof SwitchyardError && e.code === 'worker_not_found') { this.dropWaiting(); await this.register(); continue; }
        throw e;
      }
      this.answered(ask, tasks, workerId);
    }
  }

  /** A claim's tasks, from the long poll or a report batch: leased from now, started as slots allow. */
  private answered(ask: Ask, tasks: Task[], workerId: string): void {
    // Answered after stop began: not started here; removing the worker gives them back.
    if (this.stopping) { this.slots.answered(ask, []); return; }
    this.slots.answered(ask, tasks.map((task) => {
      const h: Held = { task, workerId };
      this.keepLease(h, task.leaseExpiresAt);
      return h;
    }));
    for (const q of this.slots.queues) this.startWaiting(q);
    this.wake();
  }

  /** Starts waiting tasks of a queue while it has free slots. */
  private startWaiting(q: QueueSlots): void {
    for (let h; !this.stopping && (h = this.slots.startable(q));) this.begin(h);
  }

  /** Forgets the tasks waiting for a slot (stop, or a worker the broker removed: they are back in
   *  their queues, or will be when removing this worker or their lease ends). */
  private dropWaiting(): void {
    for (const h of this.slots.drainWaiting()) { h.done = true; clearTimeout(h.leaseTimer); }
  }

  private begin(r: Held): void {
    const { task, workerId } = r;
    r.started = true;
    this.running.set(task.taskId, r);
    const startedAt = performance.now();
    const progress = async () => { const a = await this.extend(r); if (a?.leaseExpiresAt) this.keepLease(r, a.leaseExpiresAt); };
    void (async () => {
      let outcome: { ok: true; result: unknown } | { ok: false; error: unknown };
      try {
        const ctx = { get signal() { return controllerOf(r).signal; }, progress };
        outcome = { ok: true, result: await this.opts.handler(task, ctx) };
      } catch (error) {
        outcome = { ok: false, error };
      }
      if (r.done) return; // abandoned by stop, already reported
      r.done = true;
      clearTimeout(r.leaseTimer);
      const ms = performance.now() - startedAt;
      // The slot frees when the handler ends, not when the broker has answered its report: the next
      // claim overlaps the report (stop waits for every report).
      this.ended(r, ms);
      if (r.lostLease) {
        this.emit('lost', task);
      } else if (outcome.ok) {
        await this.reporter.report(workerId, { taskId: task.taskId, state: 'success', ...(outcome.result === undefined ? {} : { result: outcome.result }) });
        this.stats_.done(task.queue, ms, true);
        this.emit('completed', task, outcome.result, ms);
      } else {
        const reason = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
        await this.reporter.report(workerId, { taskId: task.taskId, state: 'fail', failReason: reason || 'failed' });
        this.stats_.done(task.queue, ms, false);
        this.emit('failed', task, outcome.error, ms);
      }
      this.statsDue();
    })();
  }

  /** A started task's slot is free: the next waiting task starts, the loop may claim again. */
  private ended(r: Held, ms: number | null): void {
    this.running.delete(r.task.taskId);
    const q = this.slots.get(r.task.queue)!;
    this.slots.ended(q, ms);
    this.startWaiting(q);
    this.wake();
  }

  private async abandon(r: Held): Promise<void> {
    r.done = true;
    clearTimeout(r.leaseTimer);
    this.ended(r, null);
    await this.reporter.report(r.workerId, { taskId: r.task.taskId, state: 'fail', failReason: 'worker stopped: the handler did not end when its signal was aborted' });
  }

  /** Extends the lease at half of what is left, again after each extension. */
  private keepLease(r: Held, leaseExpiresAt: number | null): void {
    clearTimeout(r.leaseTimer);
    // An extension answered after the handler finished must not arm another.
    if (leaseExpiresAt === null || r.done) return;
    const halfLeft = Math.max(100, (leaseExpiresAt * 1000 - Date.now()) / 2);
    r.leaseTimer = setTimeout(() => {
      void this.extend(r).then((a) => { if (a?.leaseExpiresAt) this.keepLease(r, a.leaseExpiresAt); }).catch((e) => this.warn(e));
    }, halfLeft);
    r.leaseTimer.unref();
  }

  private async extend(r: Held): Promise<ReportAnswer | null> {
    try {
      return await this.connection.request<ReportAnswer>('POST', '/task', { body: { workerId: r.workerId, taskId: r.task.taskId, state: 'progress' } });
    } catch (e) {
      // The task is no longer ours (its lease ran out, or this worker was removed and the task went
      // back to its queue): another worker may have it, so its handler stops.
      if (e instanceof SwitchyardError && (e.status === 409 || e.status === 404)) {
        r.lostLease = true;
        controllerOf(r).abort('lease lost');
        if (!r.started && !r.done) this.loseWaiting(r);
        return null;
      }
      throw e;
    }
  }

  /** A task that waited here for a slot and lost its lease: it is not ours to start. */
  private loseWaiting(r: Held): void {
    this.slots.forget(r);
    r.done = true;
    this.emit('lost', r.task);
    this.wake();
  }

  /** Takes nothing new (tasks waiting for a slot go back to their queue), lets running handlers finish until timeoutMs, then aborts them (reported as
   *  fails), waits for every report, and removes the worker from the broker. */
  async stop(opts: { timeoutMs?: number } = {}): Promise<void> {
    if (this.stopping) { await this.stopped; return; }
    this.stopping = true;
    process.removeListener('SIGTERM', this.onSignal);
    process.removeListener('SIGINT', this.onSignal);
    this.stopped = (async () => {
      this.poll?.abort();
      this.wake();
      await this.loop;
      this.dropWaiting();
      const timeoutMs = opts.timeoutMs ?? this.opts.stopTimeoutMs ?? 30_000;
      const deadline = setTimeout(() => { for (const r of this.running.values()) controllerOf(r).abort('worker stopping'); }, timeoutMs);
      // A handler that ignores its signal is not waited for past a second more: its task is reported
      // failed, and what it does later is not reported.
      const giveUp = setTimeout(() => {
        for (const r of this.running.values()) void this.abandon(r);
      }, timeoutMs + 1000);
      while (this.running.size) await new Promise<void>((r) => { this.changed = r; });
      clearTimeout(deadline);
      clearTimeout(giveUp);
      await this.reporter.flush();
      if (this.id) await this.connection.request('DELETE', '/worker', { query: { workerId: this.id } }).catch((e) => this.warn(e));
      this.emit('stopped');
    })();
    await this.stopped;
  }

  private stopped: Promise<void> = Promise.resolve();

  /** A background failure: the 'error' event when someone listens, else a process warning (an
   *  'error' event nobody listens to would end the process). */
  private warn(e: unknown): void {
    if (this.listenerCount('error')) this.emit('error', e);
    else process.emitWarning(`switchyard worker: ${e instanceof Error ? e.message : String(e)}`);
  }
}
