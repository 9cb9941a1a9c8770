// The failed queue: list with filters, retry (same or another queue, optionally edited data), delete.
import type { BrokerContext } from './context.js';
import type { FailedFilter, FailedSelection } from '../model.js';
import { BrokerError } from '../errors.js';

export function listFailed(ctx: BrokerContext, filter: FailedFilter, limit: number, offset: number) {
  return ctx.store.listFailedTasks(filter, limit, offset);
}

export async function retryFailed(ctx: BrokerContext, sel: FailedSelection, opts: { toQueue?: string; data?: Record<string, unknown> }) {
  if (opts.data !== undefined && !('taskIds' in sel && sel.taskIds.length === 1)) {
    throw new BrokerError('invalid_input', 'data (an edited payload) can be given only when retrying a single task', [{ field: 'data' }]);
  }
  const retried = await ctx.store.retryFailedTasks(sel, opts, ctx.now());
  if ('taskIds' in sel && sel.taskIds.length === 1 && retried === 0) {
    const t = await ctx.store.getTask(sel.taskIds[0]!);
    if (!t) throw new BrokerError('task_not_found', `no task ${JSON.stringify(sel.taskIds[0])}`);
    throw new BrokerError('task_not_waiting', `task ${JSON.stringify(t.taskId)} is ${t.state}, not failed`);
  }
  if (retried) ctx.waiters.wakeAll();
  return { retried };
}

export async function deleteFailed(ctx: BrokerContext, sel: FailedSelection) {
  return { deleted: await ctx.store.deleteFailedTasks(sel) };
}
