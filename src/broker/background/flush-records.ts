// Writes what routing gathered on this node (routing-records.ts) once a second, and once a minute
// lets unrouted events older than SWITCHYARD_UNROUTED_KEEP go even when no new ones arrive.
import type { BrokerContext } from '../context.js';
import { Periodic } from './periodic.js';

export const FLUSH_INTERVAL_MS = 1000;
const PRUNE_EVERY_PASSES = 60;

export class RecordsFlusher {
  private readonly loop: Periodic;
  private passes = 0;

  constructor(private readonly ctx: BrokerContext, intervalMs = FLUSH_INTERVAL_MS) {
    this.loop = new Periodic(() => this.runOnce(), () => intervalMs, (e) => ctx.log.warn('routing records not written; retrying next pass', { error: e.message }));
  }

  start(): void { this.loop.start(); }

  /** Stops, then writes what is left. */
  async stop(): Promise<void> {
    await this.loop.stop();
    await this.ctx.records.flush().catch((e: Error) => this.ctx.log.warn('routing records lost at stop', { error: e.message }));
  }

  async runOnce(): Promise<void> {
    await this.ctx.records.flush();
    if (this.passes++ % PRUNE_EVERY_PASSES === 0 && this.ctx.records.settings.unroutedKeepSeconds > 0) {
      await this.ctx.store.appendEvents('unrouted', [], this.ctx.records.unroutedKeep(this.ctx.now()));
    }
  }
}
