// PUT /interest replaces a queue's map; DELETE /interest removes it; POST /interest/check validates a
// map without saving; POST /interest/dry-run explains where an event would go.
import { Router } from 'express';
import type { Broker } from '../src/broker/index.js';
import type { InterestMap } from '../src/store/store.js';
import { checkInterestMap } from '../src/routing/compile.js';
import { validator } from './validate.js';
import { dryRunSchema, removeInterestsQuerySchema, setInterestsSchema } from './interest.schema.js';

const setBody = validator<{ queue: string; interests: InterestMap }>(setInterestsSchema);
const removeQuery = validator<{ queue: string }>(removeInterestsQuerySchema);
const dryRunBody = validator<{ data: Record<string, unknown>; interests?: InterestMap; queue?: string }>(dryRunSchema);

export function interestRoutes(broker: Broker): Router {
  const r = Router();
  r.put('/interest', async (req, res) => {
    const { queue, interests } = setBody.body(req);
    res.json(await broker.setInterests(queue, interests));
  });
  r.delete('/interest', async (req, res) => {
    res.json(await broker.removeInterests(removeQuery.query(req).queue));
  });
  r.post('/interest/dry-run', async (req, res) => {
    const { data, interests, queue } = dryRunBody.body(req);
    if (interests !== undefined) {
      const problems = checkInterestMap(interests);
      res.json({ valid: problems.length === 0, problems, ...(problems.length ? {} : await broker.dryRun(data, { queue: queue ?? '(draft)', interests })) });
      return;
    }
    res.json(await broker.dryRun(data));
  });
  return r;
}
