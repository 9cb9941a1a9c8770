// PUT /interest replaces a queue's map; DELETE /interest removes it; POST /interest/dry-run explains
// where an event would go (and checks a draft); GET /interest/history lists a queue's changes, and
// POST /interest/rollback puts an earlier revision's interests back; POST /interest/what-if replays
// the sample of recent events against a draft.
import { Router, type Response } from 'express';
import type { Broker } from '../src/broker/index.js';
import type { InterestMap } from '../src/model.js';
import type { PublishInput } from '../src/broker/publish.js';
import { checkInterestMap } from '../src/routing/compile.js';
import { validator } from './validate.js';
import { dryRunSchema, interestHistoryQuerySchema, removeInterestsQuerySchema, rollbackInterestsSchema, setInterestsSchema, whatIfSchema } from './interest.schema.js';
import type { Principal } from '../src/security/gate.js';

const setBody = validator<{ queue: string; interests: InterestMap }>(setInterestsSchema);
const historyQuery = validator<{ queue: string; limit?: number; offset?: number }>(interestHistoryQuerySchema);
const rollbackBody = validator<{ queue: string; revision: number }>(rollbackInterestsSchema);
/** Who asks, for the history: a token's name, or null in open mode. */
const who = (res: Response) => (res.locals.principal as Principal | null)?.name ?? null;
const removeQuery = validator<{ queue: string }>(removeInterestsQuerySchema);
const whatIfBody = validator<{ queue: string; interests: InterestMap | null; examples?: number }>(whatIfSchema);
const dryRunBody = validator<Omit<PublishInput, 'publisher'> & { publisher?: string; fastPost?: boolean; interests?: InterestMap; queue?: string }>(dryRunSchema);

export function interestRoutes(broker: Broker): Router {
  const r = Router();
  r.put('/interest', async (req, res) => {
    const { queue, interests } = setBody.body(req);
    const { answer, created } = await broker.setInterests(queue, interests, who(res));
    res.status(created ? 201 : 200).json(answer);
  });
  r.delete('/interest', async (req, res) => {
    res.json(await broker.removeInterests(removeQuery.query(req).queue, who(res)));
  });
  r.get('/interest/history', async (req, res) => {
    const { queue, limit = 50, offset = 0 } = historyQuery.query(req);
    const { total, changes } = await broker.interestHistory(queue, limit, offset);
    res.json({ queue, total, changes: changes.map((c) => ({ revision: c.revision, interests: c.interests, who: c.who, at: c.atMs / 1000, rollbackOf: c.rollbackOf })) });
  });
  r.post('/interest/rollback', async (req, res) => {
    const { queue, revision } = rollbackBody.body(req);
    res.json(await broker.rollbackInterests(queue, revision, who(res)));
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
  r.post('/interest/what-if', async (req, res) => {
    const { queue, interests, examples } = whatIfBody.body(req);
    res.json(await broker.whatIf(queue, interests, examples));
  });
  return r;
}
