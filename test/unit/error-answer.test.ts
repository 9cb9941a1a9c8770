// The one mapping from a thrown error to the answer and the log line (routes/answer.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import winston from 'winston';
import { Writable } from 'node:stream';
import { errorAnswer } from '../../routes/answer.js';
import { BrokerError, ERRORS, StoreUnavailableError } from '../../src/errors.js';

/** A real winston logger whose lines are kept in memory. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  return { log: winston.createLogger({ level: 'debug', format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] }), lines };
}
const where = { method: 'GET', path: '/x' };

describe('error answers', () => {
  it('a bug is a 500 internal_error without details, logged at error with its stack', () => {
    const { log, lines } = capturingLogger();
    const a = errorAnswer(new TypeError('cannot read x of undefined'), where, log);
    assert.deepEqual(a, { status: 500, body: { error: 'internal error: see the broker log', code: 'internal_error', details: [] } });
    assert.equal(ERRORS.internal_error, 500);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.level, 'error');
    assert.match(String(lines[0]!.error), /TypeError: cannot read x of undefined\n\s+at /);
  });

  it('an unreachable store is a 503 store_unavailable, logged at error with its stack', () => {
    const { log, lines } = capturingLogger();
    const a = errorAnswer(new StoreUnavailableError('SQLite store x: disk I/O error'), where, log);
    assert.deepEqual([a.status, (a.body as { code: string }).code], [503, 'store_unavailable']);
    assert.deepEqual([lines[0]!.level, lines[0]!.code], ['error', 'store_unavailable']);
    assert.match(String(lines[0]!.error), /disk I\/O error\n\s+at /);
  });

  it('bad input is a 4xx logged at debug only', () => {
    const { log, lines } = capturingLogger();
    const a = errorAnswer(new BrokerError('task_not_found', 'no task "t"', [{ field: 'taskId' }]), where, log);
    assert.deepEqual(a, { status: 404, body: { error: 'no task "t"', code: 'task_not_found', details: [{ field: 'taskId' }] } });
    assert.deepEqual(lines.map((l) => l.level), ['debug']);
  });
});
