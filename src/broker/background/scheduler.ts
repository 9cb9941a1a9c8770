// Fires schedules. Every node runs this each second, and each tick fires once: a node first claims
// the tick (and, for a catch-up, the missed ticks it stands for) by moving the schedule's last tick
// with compare-and-set, so of several nodes one claims it and no two claims overlap; then it
// publishes the tick's event, keyed "schedule:<name>:<tick>"; then it confirms with the event's id.
// A claim its node did not confirm (it died, or the store went away) is published by any node after
// CLAIM_GRACE_MS; the key makes that publish once even if the first one got through. (Publishing
// first, as this did before, let a node that read the schedule before another recorded ticks, or
// that died between publishing and recording, fire a catch-up over ticks already fired: the soak
// found both.)
import type { BrokerContext } from '../context.js';
import { publishEvents, type PublishInput } from '../publish.js';
import { recordScheduleFiring, storedSchedules } from '../schedules.js';
import type { ScheduleRecord } from '../../model.js';
import { Periodic } from './periodic.js';

export const SCHEDULER_INTERVAL_MS = 1000;
// Ticks later than this were missed (no node ran): they collapse into one firing, not one each.
const MISSED_AFTER_MS = 10_000;
// Listed individually at most; beyond, only counted.
const KEEP_TICKS = 10;
// A claimed tick its node has not confirmed within this long is published by another node.
const CLAIM_GRACE_MS = 5000;
// A tick's key must outlive any node's lateness, whatever SWITCHYARD_IDEMPOTENCY_TTL says.
const TICK_KEY_TTL_SECONDS = 24 * 3600;

export class Scheduler {
  readonly counts = { fired: 0, runs: 0, errors: 0 };
  private readonly loop: Periodic;

  constructor(private readonly ctx: BrokerContext, intervalMs = SCHEDULER_INTERVAL_MS) {
    // Aligned to the second, so a per-second schedule is fired just after its tick.
    this.loop = new Periodic(() => this.runOnce(), () => intervalMs - (Date.now() % intervalMs) + 5,
      (e) => { this.counts.errors++; ctx.log.warn('scheduler pass failed', { error: e.message }); });
  }

  start(): void { this.loop.start(); }
  stop(): Promise<void> { return this.loop.stop(); }

  /** One pass at nowMs: every due tick of every running schedule (tests call this with a chosen time). */
  async runOnce(nowMs = this.ctx.now()): Promise<void> {
    const schedules = await storedSchedules(this.ctx);
    this.ctx.cron.keepOnly(schedules);
    for (const s of schedules) {
      if (s.paused) continue;
      try {
        await this.fireDue(s, nowMs);
      } catch (e) {
        this.counts.errors++;
        this.ctx.log.warn('schedule not fired; retrying next pass', { schedule: s.name, error: (e as Error).message });
      }
    }
    this.counts.runs++;
    this.ctx.metrics.schedulerPassed();
  }

  private async fireDue(s: ScheduleRecord, nowMs: number): Promise<void> {
    // Claimed, not confirmed: the claiming node died or could not reach the store. Give it time.
    // A pause, resume or replace since the claim moved lastTickMs off the claimed tick: the claim
    // then lapses (its node may still publish it, by its key) rather than fire at a time no tick had.
    if (s.lastEventId === null && s.lastFiredAtMs !== null && s.lastFiredAtMs > s.updatedAtMs) {
      if (nowMs - s.lastFiredAtMs < CLAIM_GRACE_MS) return;
      await this.publishClaimed(s, s.lastTickMs, s.lastMissedTicks, nowMs);
      return;
    }
    const due = this.ctx.cron.due(s.cron, s.timezone, s.lastTickMs, nowMs, KEEP_TICKS);
    if (due.total === 0) return;
    const missed = due.total > due.ticks.length || nowMs - due.ticks[0]! > MISSED_AFTER_MS;
    const firings = missed ? [{ tickMs: due.ticks.at(-1)!, missedTicks: due.total - 1 }] : due.ticks.map((tickMs) => ({ tickMs, missedTicks: 0 }));
    let from = s.lastTickMs;
    for (const { tickMs, missedTicks } of firings) {
      // Another node claimed this tick (or a later one) first: it carries on from there.
      if (!(await recordScheduleFiring(this.ctx, s.name, from, { lastTickMs: tickMs, lastFiredAtMs: nowMs, lastEventId: null, lastMissedTicks: missedTicks }))) return;
      await this.publishClaimed(s, tickMs, missedTicks, nowMs);
      from = tickMs;
    }
  }

  /** Publishes a claimed tick (once, by its key) and confirms the claim with the event's id. */
  private async publishClaimed(s: ScheduleRecord, tickMs: number, missedTicks: number, nowMs: number): Promise<void> {
    const input: PublishInput = {
      ...(s.event as unknown as PublishInput),
      idempotencyKey: `schedule:${s.name}:${tickMs}`,
      idempotencyTtlSeconds: Math.max(TICK_KEY_TTL_SECONDS, this.ctx.settings.idempotencyTtlSeconds),
      origin: {
        schedule: s.name, tickAt: tickMs / 1000,
        ...(missedTicks ? { missedTicks, note: `fired once for ${missedTicks + 1} ticks missed while no broker node ran` } : {}),
      },
    };
    const [answer] = await publishEvents(this.ctx, [input]);
    await recordScheduleFiring(this.ctx, s.name, tickMs, { lastTickMs: tickMs, lastFiredAtMs: nowMs, lastEventId: answer!.eventId, lastMissedTicks: missedTicks });
    if (answer!.replayed) return;
    this.counts.fired++;
    this.ctx.metrics.scheduleFired(s.name, missedTicks ? 'catch_up' : 'on_time');
    if (missedTicks) this.ctx.log.child({ schedule: s.name }).info('schedule fired once for missed ticks', { missedTicks });
  }
}
