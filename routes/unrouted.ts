// Events no queue wanted: GET /unrouted lists them (the failed queue's filters), POST
// /unrouted/replay routes them through the interests as they are now, DELETE /unrouted lets them go.
import { Router } from 'express';
import type { Broker } from '../src/broker/index.js';
import type { UnroutedFilter, UnroutedSelection } from '../src/broker/unrouted.js';
import { BrokerError } from '../src/errors.js';
import { validator } from './validate.js';
import { deleteUnroutedSchema, listUnroutedQuerySchema, replayUnroutedSchema } from './unrouted.schema.js';

type FilterInput = { publisher?: string; search?: string; field?: string; value?: string };
type SelectionInput = FilterInput & { eventIds?: string[] | string; all?: true };

const listQuery = validator<FilterInput & { limit?: number; offset?: number }>(listUnroutedQuerySchema);
const replayBody = validator<SelectionInput>(replayUnroutedSchema);
const deleteInput = validator<SelectionInput>(deleteUnroutedSchema);

function filterOf({ publisher, search, field, value }: FilterInput): UnroutedFilter {
  if ((field === undefined) !== (value === undefined)) {
    throw new BrokerError('invalid_input', 'filter by a data field with both field (a dot path) and value', [{ field: field === undefined ? 'field' : 'value', message: 'is required with the other' }]);
  }
  return { ...(publisher !== undefined ? { publisher } : {}), ...(search !== undefined ? { search } : {}), ...(field !== undefined ? { field: { path: field, value: value! } } : {}) };
}

/** eventIds, or all: true with the filters: exactly one, so nothing is selected by accident. */
function selection({ eventIds, all, ...filter }: SelectionInput): UnroutedSelection {
  if ((eventIds === undefined) === (all === undefined)) {
    throw new BrokerError('invalid_input', 'select unrouted events with eventIds or with all: true (plus optional publisher, search, field and value filters), not both and not neither', [{ field: 'eventIds' }, { field: 'all' }]);
  }
  if (eventIds === undefined) return { all: true, filter: filterOf(filter) };
  if (Object.keys(filter).length) throw new BrokerError('invalid_input', 'filters go with all: true, not with eventIds', [{ field: 'eventIds' }]);
  return { eventIds: typeof eventIds === 'string' ? eventIds.split(',').map((t) => t.trim()).filter(Boolean) : eventIds };
}

export function unroutedRoutes(broker: Broker): Router {
  const r = Router();
  r.get('/unrouted', async (req, res) => {
    const { limit, offset, ...filter } = listQuery.query(req);
    res.json(await broker.unrouted.list(filterOf(filter), limit ?? 50, offset ?? 0));
  });
  r.post('/unrouted/replay', async (req, res) => {
    res.json(await broker.unrouted.replay(selection(replayBody.body(req))));
  });
  r.delete('/unrouted', async (req, res) => {
    res.json(await broker.unrouted.delete(selection(deleteInput.bodyOrQuery(req))));
  });
  return r;
}
