// GET /export streams the broker's state as JSON lines; POST /import (application/x-ndjson) loads
// such lines, checked line by line before anything changes (src/broker/transfer.ts).
import express, { Router, type Request, type Response } from 'express';
import type { Broker } from '../src/broker/index.js';
import type { Gate } from '../src/security/gate.js';
import type { ImportLine } from '../src/broker/transfer.js';
import { BrokerError } from '../src/errors.js';
import { validator } from './validate.js';
import { exportQuerySchema, importQuerySchema, lineKindSchema, lineSchemas } from './transfer.schema.js';

/** One request is one batch, stored in one transaction: bounded so a Couchbase transaction stays small. */
export const IMPORT_MAX_TASKS = 1000;
export const IMPORT_BODY_LIMIT_BYTES = 64 * 1024 * 1024;

const exportQuery = validator<Record<string, never>>(exportQuerySchema);
const importQuery = validator<{ existing?: 'refuse' | 'skip' }>(importQuerySchema);
const lineKind = validator<{ kind: keyof typeof lineSchemas }>(lineKindSchema);
const lineOf = Object.fromEntries(Object.entries(lineSchemas).map(([k, s]) => [k, validator<ImportLine>(s)])) as Record<keyof typeof lineSchemas, ReturnType<typeof validator<ImportLine>>>;

/** The body's lines, each parsed and checked; the first bad one refuses the whole request. */
function parseLines(body: unknown): ImportLine[] {
  if (typeof body !== 'string') throw new BrokerError('invalid_input', 'send the export\'s lines as the body, Content-Type: application/x-ndjson');
  const lines: ImportLine[] = [];
  for (const [i, text] of body.split('\n').entries()) {
    if (text.trim() === '') continue;
    const at = (e: unknown) => (e instanceof BrokerError ? new BrokerError(e.code, `line ${i + 1}: ${e.message}`, e.details) : e);
    let value: unknown;
    try { value = JSON.parse(text); } catch { throw new BrokerError('invalid_json', `line ${i + 1} is not valid JSON`); }
    try {
      lines.push(lineOf[lineKind.json(value).kind].json(value));
    } catch (e) { throw at(e); }
  }
  const tasks = lines.filter((l) => l.kind === 'task').length;
  if (tasks > IMPORT_MAX_TASKS) throw new BrokerError('invalid_input', `${tasks} tasks in one request; at most ${IMPORT_MAX_TASKS}: send the export in batches, as switchyard import does`);
  return lines;
}

/** Waits until a slow reader has taken what was written, or has gone (listeners removed either way). */
function drainedOrClosed(res: Response): Promise<void> {
  return new Promise((ok) => {
    const done = () => { res.off('drain', done); res.off('close', done); ok(); };
    res.on('drain', done);
    res.on('close', done);
  });
}

export function transferRoutes(broker: Broker, gate: Gate): Router {
  const r = Router();
  r.get('/export', async (req: Request, res) => {
    exportQuery.query(req);
    const lines = broker.exportLines();
    // The first line is read before answering, so a store that is down is a plain 503.
    let next = await lines.next();
    res.status(200).type('application/x-ndjson');
    let gone = false;
    res.on('close', () => { gone = true; });
    while (!next.done && !gone) {
      if (!res.write(`${JSON.stringify(next.value)}\n`)) await drainedOrClosed(res);
      try {
        next = await lines.next();
      } catch (e) {
        // Half an answer is out: cutting the connection is the only way left to say so (the dump lacks its end line).
        broker.ctx.log.error('export cut short', { error: (e as Error).message });
        res.destroy();
        return;
      }
    }
    if (gone) await lines.return(undefined);
    res.end();
  });
  r.post('/import', express.text({ type: 'application/x-ndjson', limit: IMPORT_BODY_LIMIT_BYTES }), async (req, res) => {
    const { existing = 'refuse' } = importQuery.query(req);
    const outcome = await broker.importLines(parseLines(req.body), existing);
    if (outcome.tokens > 0) gate.tokensChanged();
    res.json(outcome);
  });
  return r;
}
