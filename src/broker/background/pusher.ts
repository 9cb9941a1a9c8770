// Push delivery: for each queue with a pushUrl, this node registers a worker of its own and takes
// tasks exactly as a pulling worker does (long poll, leases, the queue's concurrency and rateLimit
// enforced by the store across every node), then POSTs each one. A task is leased to one node's
// worker at a time, so it is never in flight twice; a node that dies mid-delivery loses nothing:
// the lease expires and the task goes back to ready.
import os from 'node:os';
import type { BrokerContext, PushFollower } from '../context.js';
import { claimTasks } from '../claim.js';
import { reportTasks } from '../report.js';
import { registerWorker, removeWorkers } from '../workers.js';
import { BrokerError } from '../../errors.js';
import { held, queueSummaries } from '../status.js';
import type { QueuePolicy, Report, ReportOutcome, WorkTask } from '../../model.js';
import { isPushed, pushTarget } from '../../lifecycle/limits.js';
import { leaseMs, pushLeaseMarginMs, pushNeedsFreshLease } from '../../lifecycle/lease.js';
import { deliver } from './deliver.js';
import { Periodic } from './periodic.js';

const MAX_IN_FLIGHT_PER_QUEUE = 32;
const CLAIM_WAIT_SECONDS = 2;
const STOP_GRACE_MS = 5000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class QueuePusher {
  policy: QueuePolicy;
  private workerId: string | null = null;
  /** Aborted by finish(): no more claims, and a claim waiting for a task ends at once. */
  private readonly quit = new AbortController();
  private inFlight = 0;
  private slotFreed: (() => void) | null = null;
  readonly done: Promise<void>;

  constructor(private readonly ctx: BrokerContext, readonly queue: string, policy: QueuePolicy, private readonly node: string) {
    this.policy = policy;
    this.done = this.run();
  }

  get idle(): boolean { return this.inFlight === 0; }

  /** Stops taking tasks (a claim waiting for one ends at once), waits a little for deliveries under
   *  way, then gives the worker up. A delivery still running keeps its worker, so its task is not
   *  handed to another node meanwhile. */
  async finish(): Promise<void> {
    this.quit.abort();
    this.slotFreed?.();
    await this.done;
    const deadline = Date.now() + STOP_GRACE_MS;
    while (this.inFlight > 0 && Date.now() < deadline) await sleep(50);
    if (this.workerId && this.inFlight === 0) {
      await removeWorkers(this.ctx, { workerId: this.workerId }).catch(() => undefined);
    }
  }

  private async run(): Promise<void> {
    while (!this.quit.signal.aborted) {
      try {
        if (this.inFlight >= MAX_IN_FLIGHT_PER_QUEUE) {
          await new Promise<void>((resolve) => { this.slotFreed = resolve; });
          this.slotFreed = null;
          continue;
        }
        this.workerId ??= (await registerWorker(this.ctx, `push@${this.node}`, [this.queue])).workerId;
        const tasks = await claimTasks(this.ctx, this.workerId, MAX_IN_FLIGHT_PER_QUEUE - this.inFlight, CLAIM_WAIT_SECONDS, () => this.quit.signal);
        // Stopped meanwhile (pushUrl removed, or shutdown): finish() gives these back with the worker.
        if (this.quit.signal.aborted) break;
        for (const t of tasks) this.start(t, this.workerId);
      } catch (e) {
        // Reaped, or removed by DELETE /worker: register again on the next turn.
        if (e instanceof BrokerError && e.code === 'worker_not_found') { this.workerId = null; continue; }
        this.ctx.log.warn('push: cannot take tasks', { queue: this.queue, error: (e as Error).message });
        await sleep(1000);
      }
    }
  }

  private start(t: WorkTask, workerId: string): void {
    this.inFlight++;
    void this.push(t, workerId).finally(() => {
      this.inFlight--;
      this.slotFreed?.();
    });
  }

  private async push(t: WorkTask, workerId: string): Promise<void> {
    const policy = this.policy;
    const url = pushTarget(policy, t);
    if (url === null) {
      await this.report(t, workerId, { taskId: t.taskId, state: 'fail', failReason: 'no push target: the task brought no pushUrl of its own and its queue has none' });
      return;
    }
    const leaseLength = leaseMs(policy.leaseSeconds, this.ctx.rules.defaultLeaseSeconds);
    const margin = pushLeaseMarginMs(leaseLength);
    let leaseEndsAtMs = t.leaseExpiresAtMs ?? Infinity;
    if (pushNeedsFreshLease(leaseEndsAtMs - margin - this.ctx.now(), leaseLength)) {
      const renewed = await this.renewLease(t, workerId);
      if (renewed === null) return; // no longer this worker's task: whoever has it now pushes it
      leaseEndsAtMs = renewed;
    }
    const startedMs = Date.now();
    const timeoutMs = Math.max(1, Math.min(policy.pushTimeoutSeconds * 1000, leaseEndsAtMs - margin - this.ctx.now()));
    const { outcome, report } = await deliver(t, url, { timeoutMs, secret: policy.pushSecret ?? this.ctx.settings.pushSecret, nowMs: this.ctx.now(), guard: this.ctx.pushTargets });
    this.ctx.metrics.pushed(this.queue, outcome, Date.now() - startedMs);
    await this.report(t, workerId, report);
  }

  /** A fresh lease for a task about to be pushed (a progress report); its end, or null when the task
   *  is no longer this worker's. */
  private async renewLease(t: WorkTask, workerId: string): Promise<number | null> {
    const o = await this.report(t, workerId, { taskId: t.taskId, state: 'progress' });
    return o?.outcome === 'ok' ? (o.leaseExpiresAtMs ?? null) : null;
  }

  /** The report's outcome, or null when it could not be made (the lease will return the task; it is
   *  pushed again then). A refused renewal only means the task is another's now: not worth a warning. */
  private async report(t: WorkTask, workerId: string, report: Report): Promise<ReportOutcome | null> {
    try {
      const [o] = await reportTasks(this.ctx, workerId, [report]);
      if (o && o.outcome !== 'ok' && report.state !== 'progress') this.ctx.log.warn('push: report refused', { queue: this.queue, taskId: t.taskId, outcome: o.outcome });
      return o ?? null;
    } catch (e) {
      this.ctx.log.warn(report.state === 'progress' ? 'push: cannot renew a lease' : 'push: report failed', { queue: this.queue, taskId: t.taskId, error: (e as Error).message });
      return null;
    }
  }
}

export class Pusher implements PushFollower {
  private readonly queues = new Map<string, QueuePusher>();
  private readonly node = `${os.hostname()}:${process.pid}`;
  private readonly loop: Periodic;
  private turn: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly ctx: BrokerContext, intervalMs = ctx.settings.pushDiscoveryIntervalMs) {
    this.loop = new Periodic(() => this.sync(), () => intervalMs, (e) => ctx.log.warn('push: cannot read queues', { error: e.message }));
  }

  start(): void { this.loop.start({ now: true }); }

  /** Starts pushing for queues that gained a pushUrl, stops for those that lost it, and counts
   *  queues with ready tasks held by their limits. */
  sync(nowMs = this.ctx.now()): Promise<void> {
    return this.inTurn(async () => {
      const summaries = await queueSummaries(this.ctx);
      const wanted = new Set<string>();
      for (const q of summaries) {
        if (!q.declared || !isPushed(q.policy)) continue;
        wanted.add(q.name);
        void this.apply(q.name, q.policy);
        const by = held(q, nowMs);
        if (q.counts.ready > 0 && (by === 'concurrency' || by === 'rateLimit')) this.ctx.metrics.limiterWait(q.name, by);
      }
      for (const name of this.queues.keys()) if (!wanted.has(name)) void this.apply(name, null);
    });
  }

  /** One queue's change, applied before it is answered: a deleted queue, or one no longer pushed,
   *  leaves the queue list with this node's worker (unless a delivery is still under way). */
  follow(queue: string, policy: QueuePolicy | null): Promise<void> {
    return this.inTurn(() => this.apply(queue, policy));
  }

  /** Pushes a queue with this policy, or stops pushing it (null, or a policy that does not push);
   *  resolves when a stopped queue's worker is gone or left to the deliveries under way. */
  private async apply(queue: string, policy: QueuePolicy | null): Promise<void> {
    if (this.stopped) return;
    const running = this.queues.get(queue);
    if (policy && isPushed(policy)) {
      if (running) running.policy = policy;
      else this.queues.set(queue, new QueuePusher(this.ctx, queue, policy, this.node));
      return;
    }
    if (!running) return;
    this.queues.delete(queue);
    const finished = running.finish();
    if (running.idle) await finished;
  }

  /** One look or change at a time: a look that read the queues before a change must not undo it. */
  private inTurn(step: () => Promise<void>): Promise<void> {
    const next = this.turn.then(step);
    this.turn = next.catch(() => undefined);
    return next;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop.stop();
    const all = [...this.queues.values()];
    this.queues.clear();
    await Promise.all(all.map((p) => p.finish()));
  }
}
