// Schedules as the API sees them: validated definitions in the store, shown with their next runs.
import { roomForSchedule } from './capacity.js';
import type { BrokerContext } from './context.js';
import type { ScheduleDefinition, ScheduleFiring, ScheduleRecord } from '../model.js';
import { BrokerError } from '../errors.js';
import { cronProblem } from '../schedules/cron.js';

const NEXT_RUNS = 3;

export interface ScheduleView extends ScheduleRecord {
  /** The next tick times (none while paused). */
  nextRunsMs: number[];
}

function view(ctx: BrokerContext, s: ScheduleRecord): ScheduleView {
  return { ...s, nextRunsMs: s.paused ? [] : ctx.cron.nextRuns(s.cron, s.timezone, NEXT_RUNS) };
}

/** created: no schedule had that name (the route answers 201 then, 200 for a replace). */
export async function putSchedule(ctx: BrokerContext, def: ScheduleDefinition): Promise<{ schedule: ScheduleView; created: boolean }> {
  const problem = cronProblem(def.cron, def.timezone);
  if (problem) throw new BrokerError('invalid_input', problem, [{ where: 'body', field: problem.startsWith('timezone') ? 'timezone' : 'cron', message: problem }]);
  await roomForSchedule(ctx, def.name);
  const { schedule, created } = await ctx.store.putSchedule(def, ctx.now());
  return { schedule: view(ctx, schedule), created };
}

/** The stored schedules, as the scheduler reads them each pass (no next runs computed). */
export function storedSchedules(ctx: BrokerContext): Promise<ScheduleRecord[]> {
  return ctx.store.listSchedules();
}

/** Records that a tick was fired, if no node has recorded it (or a later one) yet: compare-and-set. */
export function recordScheduleFiring(ctx: BrokerContext, name: string, fromTickMs: number, firing: ScheduleFiring): Promise<boolean> {
  return ctx.store.recordScheduleFiring(name, fromTickMs, firing);
}

export async function listSchedules(ctx: BrokerContext): Promise<ScheduleView[]> {
  return (await ctx.store.listSchedules()).map((s) => view(ctx, s));
}

export async function getSchedule(ctx: BrokerContext, name: string): Promise<ScheduleView> {
  const s = await ctx.store.getSchedule(name);
  if (!s) throw new BrokerError('schedule_not_found', `no schedule ${JSON.stringify(name)}`);
  return view(ctx, s);
}

export async function deleteSchedule(ctx: BrokerContext, name: string): Promise<{ name: string; deleted: true }> {
  if (!(await ctx.store.deleteSchedule(name))) throw new BrokerError('schedule_not_found', `no schedule ${JSON.stringify(name)}`);
  return { name, deleted: true };
}

export async function pauseSchedule(ctx: BrokerContext, name: string, paused: boolean): Promise<ScheduleView> {
  const s = await ctx.store.setSchedulePaused(name, paused, ctx.now());
  if (!s) throw new BrokerError('schedule_not_found', `no schedule ${JSON.stringify(name)}`);
  return view(ctx, s);
}
