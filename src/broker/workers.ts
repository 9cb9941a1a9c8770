// Workers: register with queues in priority order; remove one or every worker of a queue.
import type { BrokerContext } from './context.js';
import type { WorkerRecord } from '../model.js';
import { BrokerError } from '../errors.js';
import { roomForWorker } from './capacity.js';

export async function registerWorker(ctx: BrokerContext, name: string | undefined, queues: string[]): Promise<WorkerRecord> {
  const unique = [...new Set(queues)];
  if (unique.length !== queues.length) throw new BrokerError('invalid_input', 'queues lists a queue twice', [{ field: 'queues', queues }]);
  await roomForWorker(ctx);
  return ctx.store.registerWorker(name ?? '', queues, ctx.now());
}

export async function removeWorkers(ctx: BrokerContext, sel: { workerId: string } | { queue: string }) {
  const r = await ctx.store.removeWorkers(sel, ctx.now());
  if ('workerId' in sel && r.workers === 0) throw new BrokerError('worker_not_found', `no worker ${JSON.stringify(sel.workerId)}`);
  if (r.tasksReturned) ctx.waiters.wakeAll();
  ctx.log.child('workerId' in sel ? { workerId: sel.workerId } : { queue: sel.queue }).info('workers removed', { ...r });
  return r;
}
