// The one place where store outcome codes become errors, so both stores fail in the same words.
import { BrokerError } from '../errors.js';
import type { ReportOutcome } from '../model.js';

export function workerNotFound(workerId: string): BrokerError {
  return new BrokerError('worker_not_found', `no worker ${JSON.stringify(workerId)}: it was never registered, was removed, or timed out; register again with PUT /worker`);
}

export function reportError(o: Exclude<ReportOutcome, { outcome: 'ok' }>, workerId: string): BrokerError {
  switch (o.outcome) {
    case 'task_not_found': return new BrokerError('task_not_found', `no task ${JSON.stringify(o.taskId)}`);
    case 'task_not_owned': return new BrokerError('task_not_owned', `task ${JSON.stringify(o.taskId)} is not started by worker ${JSON.stringify(workerId)} (its lease may have expired and it was handed to another worker)`);
    case 'task_finished': return new BrokerError('task_finished', `task ${JSON.stringify(o.taskId)} is already finished`);
  }
}
