// Cron expressions through node-cron: validation with the field at fault, matching a given second in
// the schedule's time zone, and the next run times. Pure apart from node-cron's task registry, whose
// entries are destroyed when their expression is no longer used.
import cron, { type ScheduledTask } from 'node-cron';

/** A sentence naming what is wrong with the expression or zone, or null when both are valid. */
export function cronProblem(expression: string, timezone: string | null): string | null {
  const v = cron.validateDetailed(expression);
  if (!v.valid) {
    const first = v.errors[0];
    return `cron ${JSON.stringify(expression)} is not valid${first ? `: ${first.field}: ${first.message}` : ''}`;
  }
  if (timezone !== null) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: timezone });
    } catch {
      return `timezone ${JSON.stringify(timezone)} is not an IANA time zone (e.g. "Europe/Paris", "UTC")`;
    }
  }
  return null;
}

/** Six fields means the first is seconds; five fields tick once a minute at second 0. */
const hasSeconds = (expression: string) => expression.trim().split(/\s+/).length === 6;

export interface DueTicks {
  /** Due tick times, oldest first: every one of them when few, else only the newest. */
  ticks: number[];
  /** How many ticks were due in all (more than ticks.length when the scan collapsed them). */
  total: number;
}

// A long outage on a per-second schedule must not make the first pass scan forever.
const MAX_SCAN_STEPS = 200_000;

/** node-cron's task keeps its matcher, which finds the next matching time after any date. */
interface TimeMatching { timeMatcher: { getNextMatch(date: Date): Date } }

export class CronMatchers {
  private readonly tasks = new Map<string, ScheduledTask>();
  /** Per expression: the first tick after each schedule's last one (schedules may share an expression). */
  private readonly next = new Map<string, Map<number, number>>();

  private task(expression: string, timezone: string | null): ScheduledTask {
    const key = `${expression}\u0000${timezone ?? ''}`;
    let t = this.tasks.get(key);
    if (!t) {
      // Never started: it is only asked whether a time matches and when it next runs.
      t = cron.createTask(expression, () => undefined, timezone ? { timezone } : {});
      this.tasks.set(key, t);
    }
    return t;
  }

  /** The first tick after afterMs, remembered per expression until afterMs moves (node-cron's walk
   *  costs up to half a millisecond, and every pass asks it of every schedule). */
  private firstAfter(expression: string, timezone: string | null, afterMs: number): number {
    const key = `${expression}\u0000${timezone ?? ''}`;
    let known = this.next.get(key);
    const hit = known?.get(afterMs);
    if (hit !== undefined) return hit;
    // Old entries go when a schedule's last tick moves on; the clear bounds the rest.
    if (!known || known.size > 256) this.next.set(key, (known = new Map()));
    const nextMs = (this.task(expression, timezone) as unknown as TimeMatching).timeMatcher.getNextMatch(new Date(afterMs)).getTime();
    known.set(afterMs, nextMs);
    return nextMs;
  }

  /** Tick times in (afterMs, uptoMs]: none at once when the next tick is later (a rarely firing
   *  schedule costs one lookup, not a scan back to its last tick); else scanning back from uptoMs to
   *  that first tick, at most keep of them listed. */
  due(expression: string, timezone: string | null, afterMs: number, uptoMs: number, keep: number): DueTicks {
    const first = this.firstAfter(expression, timezone, afterMs);
    if (first > uptoMs) return { ticks: [], total: 0 };
    const t = this.task(expression, timezone);
    const step = hasSeconds(expression) ? 1000 : 60_000;
    const ticks: number[] = [];
    let total = 0;
    let at = Math.floor(uptoMs / step) * step;
    for (let n = 0; at >= first && n < MAX_SCAN_STEPS; at -= step, n++) {
      if (!t.match(new Date(at))) continue;
      total++;
      if (ticks.length < keep) ticks.push(at);
    }
    return { ticks: ticks.reverse(), total };
  }

  /** The next run times after now (node-cron counts from the current time). */
  nextRuns(expression: string, timezone: string | null, count: number): number[] {
    return this.task(expression, timezone).getNextRuns(count).map((d) => d.getTime());
  }

  /** Drops the matchers of expressions no schedule uses any more. */
  keepOnly(used: { cron: string; timezone: string | null }[]): void {
    const keys = new Set(used.map((u) => `${u.cron}\u0000${u.timezone ?? ''}`));
    for (const [key, t] of this.tasks) {
      if (keys.has(key)) continue;
      void t.destroy();
      this.tasks.delete(key);
      this.next.delete(key);
    }
  }
}
