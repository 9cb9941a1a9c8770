// A worker process's loop: one broker worker over queues in priority order, each queue with its own
// concurrency in this process; one long poll at a time for as many tasks as every queue with a free
// slot can start; handlers whose return is a success and whose throw is a fail; leases kept by
// progress; reports batched and retried until the broker answers them; a graceful stop.
import { EventEmitter } from 'node:events';
import { Connection, type ConnectionOptions } from './connection.js';
import { SwitchyardError } from './errors.js';
import { Reporter } from './reporter.js';
import { WorkerStats, type QueueStats } from './stats.js';
import type { Task, Worker as WorkerRecord, ReportAnswer } from './types.js';

export interface HandlerContext {
  /** Aborted when the task's lease is lost or stop's deadline passes: stop work, the task is not yours. */
  signal: AbortSignal;
  /** Keeps the lease (the worker also does it by itself, at half the lease). */
  progress: () => Promise<void>;
}
export type Handler = (task: Task, ctx: HandlerContext) => unknown;

export interface WorkerOptions extends ConnectionOptions {
  /** Queues in priority order: a name (concurrency 1) or {name, concurrency}. */
  queues: (string | { name: string; concurrency?: number })[];
  handler: Handler;
  name?: string;
  /** Seconds a poll waits for work (10; the broker allows 30). */
  waitSeconds?: number;
  /** Stop gracefully on SIGTERM and SIGINT (with stopTimeoutMs). */
  handleSignals?: boolean;
  stopTimeoutMs?: number;
}

/** A task being handled, and the worker id that claimed it (a worker registered again gets a new one). */
interface Running { task: Task; workerId: string; abort: AbortController; leaseTimer?: NodeJS.Timeout; done?: true }

export class Worker extends EventEmitter {
  readonly connection: Connection;
  private readonly queues: { name: string; concurrency: number }[];
  private readonly running = new Map<string, Running>();
  private readonly runningPerQueue = new Map<string, number>();
  private readonly stats_ = new WorkerStats();
  private readonly reporter: Reporter;
  private id: string | null = null;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private poll: AbortController | null = null;
  private slotFreed: (() => void) | null = null;
  private readonly onSignal = () => { void this.stop(); };

  constructor(private readonly opts: WorkerOptions) {
    super();
    this.connection = new Connection(opts);
    this.queues = opts.queues.map((q) => (typeof q === 'string' ? { name: q, concurrency: 1 } : { name: q.name, concurrency: Math.max(1, q.concurrency ?? 1) }));
    if (!this.queues.length) throw new TypeError('a Worker needs at least one queue');
    this.reporter = new Reporter(this.connection, (e) => this.warn(e));
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
    const w = await this.connection.request<WorkerRecord>('PUT', '/worker', { body: { queues: this.queues.map((q) => q.name), ...(this.opts.name ? { name: this.opts.name } : {}) } });
    this.id = w.workerId;
  }

  /** Per queue: processed, failed, running, tasks a second and milliseconds a task. */
  stats(): Record<string, QueueStats> { return this.stats_.snapshot(this.queues.map((q) => q.name), this.runningPerQueue); }

  private freeQueues(): { names: string[]; slots: number } {
    const free = this.queues.filter((q) => (this.runningPerQueue.get(q.name) ?? 0) < q.concurrency);
    // As many as the tightest free queue can start: the broker may fill them all from any one queue.
    const slots = Math.min(100, ...free.map((q) => q.concurrency - (this.runningPerQueue.get(q.name) ?? 0)));
    return { names: free.map((q) => q.name), slots };
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const { names, slots } = this.freeQueues();
      if (!names.length) {
        await new Promise<void>((r) => { this.slotFreed = r; });
        // Handlers that end together free their slots in the same turn: claim for all of them at once.
        await new Promise((r) => setImmediate(r));
        continue;
      }
      this.poll = new AbortController();
      let tasks: Task[] = [];
      try {
        const answer = await this.connection.request<{ tasks: Task[] }>('GET', '/task', {
          query: { workerId: this.id!, wait: this.opts.waitSeconds ?? 10, count: slots, queues: names.join(',') },
          signal: this.poll.signal, retry: Infinity,
        });
        tasks = answer.tasks;
      } catch (e) {
        if (this.stopping) break;
        // Reaped while away (the broker removed an idle worker): register again and go on.
        if (e instanceof SwitchyardError && e.code === 'worker_not_found') { await this.register(); continue; }
        throw e;
      }
      for (const t of tasks) this.begin(t, this.id!);
    }
  }

  private begin(task: Task, workerId: string): void {
    const r: Running = { task, workerId, abort: new AbortController() };
    this.running.set(task.taskId, r);
    this.runningPerQueue.set(task.queue, (this.runningPerQueue.get(task.queue) ?? 0) + 1);
    this.keepLease(r, task.leaseExpiresAt);
    const startedAt = performance.now();
    const progress = async () => { const a = await this.extend(r); if (a?.leaseExpiresAt) this.keepLease(r, a.leaseExpiresAt); };
    void (async () => {
      let outcome: { ok: true; result: unknown } | { ok: false; error: unknown };
      try {
        outcome = { ok: true, result: await this.opts.handler(task, { signal: r.abort.signal, progress }) };
      } catch (error) {
        outcome = { ok: false, error };
      }
      if (r.done) return; // abandoned by stop, already reported
      r.done = true;
      clearTimeout(r.leaseTimer);
      const ms = performance.now() - startedAt;
      // The slot frees when the handler ends, not when the broker has answered its report: the next
      // claim overlaps the report (stop waits for every report).
      this.running.delete(task.taskId);
      this.runningPerQueue.set(task.queue, this.runningPerQueue.get(task.queue)! - 1);
      this.slotFreed?.(); this.slotFreed = null;
      if (r.abort.signal.aborted && r.abort.signal.reason === 'lease lost') {
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
      this.emit('stats', this.stats());
    })();
  }

  private async abandon(r: Running): Promise<void> {
    r.done = true;
    clearTimeout(r.leaseTimer);
    this.running.delete(r.task.taskId);
    this.runningPerQueue.set(r.task.queue, this.runningPerQueue.get(r.task.queue)! - 1);
    this.slotFreed?.(); this.slotFreed = null;
    await this.reporter.report(r.workerId, { taskId: r.task.taskId, state: 'fail', failReason: 'worker stopped: the handler did not end when its signal was aborted' });
  }

  /** Extends the lease at half of what is left, again after each extension. */
  private keepLease(r: Running, leaseExpiresAt: number | null): void {
    clearTimeout(r.leaseTimer);
    // An extension answered after the handler finished must not arm another.
    if (leaseExpiresAt === null || r.done) return;
    const halfLeft = Math.max(100, (leaseExpiresAt * 1000 - Date.now()) / 2);
    r.leaseTimer = setTimeout(() => {
      void this.extend(r).then((a) => { if (a?.leaseExpiresAt) this.keepLease(r, a.leaseExpiresAt); }).catch((e) => this.warn(e));
    }, halfLeft);
    r.leaseTimer.unref();
  }

  private async extend(r: Running): Promise<ReportAnswer | null> {
    try {
      return await this.connection.request<ReportAnswer>('POST', '/task', { body: { workerId: r.workerId, taskId: r.task.taskId, state: 'progress' } });
    } catch (e) {
      // The task is no longer ours (its lease ran out, or this worker was removed and the task went
      // back to its queue): another worker may have it, so its handler stops.
      if (e instanceof SwitchyardError && (e.status === 409 || e.status === 404)) { r.abort.abort('lease lost'); return null; }
      throw e;
    }
  }

  /** Takes nothing new, lets running handlers finish until timeoutMs, then aborts them (reported as
   *  fails), waits for every report, and removes the worker from the broker. */
  async stop(opts: { timeoutMs?: number } = {}): Promise<void> {
    if (this.stopping) { await this.stopped; return; }
    this.stopping = true;
    process.removeListener('SIGTERM', this.onSignal);
    process.removeListener('SIGINT', this.onSignal);
    this.stopped = (async () => {
      this.poll?.abort();
      this.slotFreed?.();
      await this.loop;
      const timeoutMs = opts.timeoutMs ?? this.opts.stopTimeoutMs ?? 30_000;
      const deadline = setTimeout(() => { for (const r of this.running.values()) r.abort.abort('worker stopping'); }, timeoutMs);
      // A handler that ignores its signal is not waited for past a second more: its task is reported
      // failed, and what it does later is not reported.
      const giveUp = setTimeout(() => {
        for (const r of this.running.values()) void this.abandon(r);
      }, timeoutMs + 1000);
      while (this.running.size) await new Promise<void>((r) => { this.slotFreed = r; });
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
