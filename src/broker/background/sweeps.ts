// Runs every sweep on every node. Each is one store transition, safe to race with other nodes.
import type { BrokerContext } from '../context.js';
import { promoteDue } from './promote-due.js';
import { expireLeases } from './expire-leases.js';
import { reapWorkers } from './reap-workers.js';
import { pruneFinished } from './prune-finished.js';
import { pruneAudit } from '../audit.js';
import { Periodic } from './periodic.js';

export const SWEEP_INTERVAL_MS = 1000;

export interface SweepCounts { promoted: number; leasesReturned: number; leasesFailed: number; workersReaped: number; pruned: number; runs: number; errors: number }

export class Sweeps {
  readonly counts: SweepCounts = { promoted: 0, leasesReturned: 0, leasesFailed: 0, workersReaped: 0, pruned: 0, runs: 0, errors: 0 };
  private readonly loop: Periodic;

  constructor(private readonly ctx: BrokerContext, intervalMs = SWEEP_INTERVAL_MS) {
    this.loop = new Periodic(() => this.runOnce(), () => intervalMs, (e) => { this.counts.errors++; ctx.log.warn('sweep failed', { error: e.message }); });
  }

  start(): void { this.loop.start(); }

  /** One pass of every sweep at nowMs (tests call this directly with a chosen time). */
  async runOnce(nowMs = this.ctx.now()): Promise<void> {
    this.counts.promoted += await promoteDue(this.ctx, nowMs);
    const leases = await expireLeases(this.ctx, nowMs);
    this.counts.leasesReturned += leases.returned;
    this.counts.leasesFailed += leases.failed;
    const reaped = await reapWorkers(this.ctx, nowMs);
    this.counts.workersReaped += reaped.workers;
    this.counts.pruned += await pruneFinished(this.ctx, nowMs);
    await pruneAudit(this.ctx, nowMs);
    this.counts.runs++;
    if (leases.returned || leases.failed || reaped.workers) {
      this.ctx.log.info('sweep', { leasesReturned: leases.returned, leasesFailed: leases.failed, workersReaped: reaped.workers, tasksReturned: reaped.tasksReturned });
    }
  }

  stop(): Promise<void> { return this.loop.stop(); }
}
