// The failed queue: GET /failed lists, POST /failed/retry retries, DELETE /failed deletes.
import { Router } from 'express';
import type { Broker } from '../src/broker/index.js';
import type { FailedFilter, FailedSelection } from '../src/model.js';
import { BrokerError } from '../src/errors.js';
import { validator } from './validate.js';
import { deleteFailedSchema, listFailedQuerySchema, retryFailedSchema } from './failed.schema.js';
import { taskJson } from './present.js';

/** The filters as they arrive: field and value are two flat parameters. */
export type FilterInput = { queue?: string; reason?: string; search?: string; field?: string; value?: string };
type SelectionInput = FilterInput & { taskIds?: string[] | string; all?: true };

const listQuery = validator<FilterInput & { limit?: number; offset?: number }>(listFailedQuerySchema);
const retryBody = validator<SelectionInput & { toQueue?: string; data?: Record<string, unknown> }>(retryFailedSchema);
const deleteInput = validator<SelectionInput>(deleteFailedSchema);

/** Only the filters given; field and value come as a pair ("field = value", value may be empty). */
export function failedFilter(input: FilterInput): FailedFilter {
  const { queue, reason, search, field, value } = input;
  if ((field === undefined) !== (value === undefined)) {
    throw new BrokerError('invalid_input', 'filter by a payload field with both field (a dot path) and value', [{ field: field === undefined ? 'field' : 'value', message: 'is required with the other' }]);
  }
  return {
    ...(queue !== undefined ? { queue } : {}), ...(reason !== undefined ? { reason } : {}), ...(search !== undefined ? { search } : {}),
    ...(field !== undefined ? { field: { path: field, value: value! } } : {}),
  };
}

/** taskIds, or all:true with the filters: exactly one, so nothing is selected by accident. */
function selection(s: SelectionInput): FailedSelection {
  const { taskIds, all, ...filter } = s;
  if ((taskIds === undefined) === (all === undefined)) {
    throw new BrokerError('invalid_input', 'select failed tasks with taskIds or with all: true (plus optional queue, reason, search filters), not both and not neither', [{ field: 'taskIds' }, { field: 'all' }]);
  }
  if (taskIds !== undefined) {
    if (Object.keys(filter).length) throw new BrokerError('invalid_input', 'filters go with all: true, not with taskIds', [{ field: 'taskIds' }]);
    return { taskIds: typeof taskIds === 'string' ? taskIds.split(',').map((t) => t.trim()).filter(Boolean) : taskIds };
  }
  return { all: true, filter: failedFilter(filter) };
}

export function failedRoutes(broker: Broker): Router {
  const r = Router();
  r.get('/failed', async (req, res) => {
    const q = listQuery.query(req);
    const { limit, offset, ...filter } = q;
    const page = await broker.listFailed(failedFilter(filter), limit ?? 50, offset ?? 0);
    res.json({ total: page.total, tasks: page.tasks.map(taskJson) });
  });
  r.post('/failed/retry', async (req, res) => {
    const { toQueue, data, ...sel } = retryBody.body(req);
    res.json(await broker.retryFailed(selection(sel), { ...(toQueue !== undefined ? { toQueue } : {}), ...(data !== undefined ? { data } : {}) }));
  });
  r.delete('/failed', async (req, res) => {
    res.json(await broker.deleteFailed(selection(deleteInput.bodyOrQuery(req))));
  });
  return r;
}
