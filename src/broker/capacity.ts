// Capacity limits: how many queues, workers and schedules an installation holds (settings with
// sane defaults). Checked before creating one; two nodes creating at the same instant may pass one
// over the limit, which bounds the store's size all the same.
import { BrokerError } from '../errors.js';
import type { BrokerContext } from './context.js';

export const DEFAULT_CAPACITY = { maxQueues: 10_000, maxWorkers: 10_000, maxSchedules: 1_000 } as const;

const full = (what: string, n: number, setting: string) =>
  new BrokerError('limit_reached', `this broker holds ${n} ${what}, its limit (${setting}): remove some first, or raise the limit`);

/** A queue that does not exist yet may be made while there are fewer than maxQueues. */
export async function roomForQueue(ctx: BrokerContext, queue: string): Promise<void> {
  if ((await ctx.store.getQueuePolicy(queue)) !== null) return;
  // A count, not the summaries: those read every queue (on Couchbase a document each), per creation.
  const n = await ctx.store.countQueues();
  const max = ctx.settings.maxQueues ?? DEFAULT_CAPACITY.maxQueues;
  if (n >= max) throw full('queues', n, 'SWITCHYARD_MAX_QUEUES');
}

export async function roomForWorker(ctx: BrokerContext): Promise<void> {
  const n = await ctx.store.countWorkers();
  const max = ctx.settings.maxWorkers ?? DEFAULT_CAPACITY.maxWorkers;
  if (n >= max) throw full('workers', n, 'SWITCHYARD_MAX_WORKERS');
}

export async function roomForSchedule(ctx: BrokerContext, name: string): Promise<void> {
  const all = await ctx.store.listSchedules();
  const max = ctx.settings.maxSchedules ?? DEFAULT_CAPACITY.maxSchedules;
  if (all.length >= max && !all.some((s) => s.name === name)) throw full('schedules', all.length, 'SWITCHYARD_MAX_SCHEDULES');
}
