// PUT /interest replaces a queue's map; DELETE /interest removes it; POST /interest/check validates a
// map without saving; POST /interest/dry-run explains where an event would go.
import { Router } from 'express';
import type { Broker } from '../src/broker/index.js';
import type { InterestMap } from '../src/model.js';
import type { PublishInput } from '../src/broker/publish.js';
import { checkInterestMap } from '../src/routing/compile.js';
import { validator } from './validate.js';
import { dryRunSchema, removeInterestsQuerySchema, setInterestsSchema } from './interest.schema.js';

const setBody = validator<{ queue: string; interests: InterestMap }>(setInterestsSchema);
const removeQuery = validator<{ queue: string }>(removeInterestsQuerySchema);
const dryRunBody = validator<Omit<PublishInput, 'publisher'> & { publisher?: string; fastPost?: boolean; interests?: InterestMap; queue?: string }>(dryRunSchema);

export function interestRoutes(broker: Broker): Router {
  const r = Router();
  r.put('/interest', async (req, res) => {
    const { queue, interests } = setBody.body(req);
    const { answer, created } = await broker.setInterests(queue, interests);
    res.status(created ? 201 : 200).json(answer);
  });
  r.delete('/interest', async (req, res) => {
    res.json(await broker.removeInterests(removeQuery.query(req).queue));
  });
  r.post('/interest/dry-run', async (req, res) => {
    const { interests, queue, fastPost: _fastPost, ...event } = dryRunBody.body(req);
    if (interests !== undefined) {
      const problems = checkInterestMap(interests);
      res.json({ valid: problems.length === 0, problems, ...(problems.length ? {} : await broker.dryRun(event, { queue: queue ?? '(draft)', interests })) });
      return;
    }
    res.json(await broker.dryRun(event));
  });
  return r;
}
