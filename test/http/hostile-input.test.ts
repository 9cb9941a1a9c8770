// Bad input of every kind: a clear JSON error with the exact status and code, never a 500, and the
// broker's state is unchanged afterwards.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '../helpers/until.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

interface Case { name: string; method: string; path: string; body?: unknown; raw?: string; contentType?: string; status: number; code: string }

const CASES: Case[] = [
  { name: 'broken JSON', method: 'PUT', path: '/task', raw: '{"publisher": "p", "data": {', status: 400, code: 'invalid_json' },
  { name: 'JSON that is not an object', method: 'PUT', path: '/task', raw: '[1,2,3]', status: 400, code: 'invalid_input' },
  { name: 'a bare JSON string', method: 'PUT', path: '/task', raw: '"hello"', status: 400, code: 'invalid_json' },
  { name: 'no body', method: 'PUT', path: '/task', status: 400, code: 'invalid_input' },
  { name: 'missing publisher', method: 'PUT', path: '/task', body: { data: {} }, status: 400, code: 'invalid_input' },
  { name: 'data as a string', method: 'PUT', path: '/task', body: { publisher: 'p', data: 'x' }, status: 400, code: 'invalid_input' },
  { name: 'data as an array', method: 'PUT', path: '/task', body: { publisher: 'p', data: [1] }, status: 400, code: 'invalid_input' },
  { name: 'an unknown field', method: 'PUT', path: '/task', body: { publisher: 'p', data: {}, colour: 'red' }, status: 400, code: 'invalid_input' },
  { name: 'a huge priority', method: 'PUT', path: '/task', body: { publisher: 'p', data: {}, priority: 1e300 }, status: 400, code: 'invalid_input' },
  { name: 'a fractional priority', method: 'PUT', path: '/task', body: { publisher: 'p', data: {}, priority: 1.5 }, status: 400, code: 'invalid_input' },
  { name: 'a negative runAt', method: 'PUT', path: '/task', body: { publisher: 'p', data: {}, runAt: -5 }, status: 400, code: 'invalid_input' },
  { name: 'runAt far beyond any date', method: 'PUT', path: '/task', body: { publisher: 'p', data: {}, runAt: 1e20 }, status: 400, code: 'invalid_input' },
  { name: 'a bad scope', method: 'PUT', path: '/task', body: { publisher: 'p', data: {}, scope: 'some' }, status: 400, code: 'invalid_input' },
  { name: 'maxAttempts zero', method: 'PUT', path: '/task', body: { publisher: 'p', data: {}, maxAttempts: 0 }, status: 400, code: 'invalid_input' },
  { name: 'an empty batch', method: 'PUT', path: '/tasks', body: { events: [] }, status: 400, code: 'invalid_input' },
  { name: 'a text/plain body', method: 'PUT', path: '/task', raw: 'publisher=p', contentType: 'text/plain', status: 415, code: 'unsupported_media_type' },
  { name: 'a body over the limit', method: 'PUT', path: '/task', raw: JSON.stringify({ publisher: 'p', data: { big: 'x'.repeat(2 * 1024 * 1024) } }), status: 413, code: 'body_too_large' },
  // The hot endpoints take a path of their own (routes/fast-path.ts): the same answers there.
  { name: 'broken JSON in a report', method: 'POST', path: '/task', raw: '{"workerId": ', status: 400, code: 'invalid_json' },
  { name: 'a JSON number as a batch', method: 'PUT', path: '/tasks', raw: '42', status: 400, code: 'invalid_json' },
  { name: 'whitespace only', method: 'POST', path: '/tasks', raw: '  \n ', status: 400, code: 'invalid_input' },
  { name: 'JSON with a charset parameter', method: 'PUT', path: '/task', raw: '{"publisher": "p"}', contentType: 'application/json; charset=utf-8', status: 400, code: 'invalid_input' },
  { name: 'JSON in another charset', method: 'PUT', path: '/task', raw: '{}', contentType: 'application/json; charset=latin1', status: 415, code: 'unsupported_media_type' },
  { name: 'a batch over the limit', method: 'PUT', path: '/tasks', raw: JSON.stringify({ events: [{ publisher: 'p', data: { big: 'x'.repeat(2 * 1024 * 1024) } }] }), status: 413, code: 'body_too_large' },
  { name: 'GET /task without workerId', method: 'GET', path: '/task', status: 400, code: 'invalid_input' },
  { name: 'GET /task with count over 100', method: 'GET', path: '/task?workerId=w&count=101', status: 400, code: 'invalid_input' },
  { name: 'GET /task with wait over 30', method: 'GET', path: '/task?workerId=w&wait=31', status: 400, code: 'invalid_input' },
  { name: 'GET /task with a text count', method: 'GET', path: '/task?workerId=w&count=many', status: 400, code: 'invalid_input' },
  { name: 'GET /task with workerId twice', method: 'GET', path: '/task?workerId=a&workerId=b', status: 400, code: 'invalid_input' },
  { name: 'POST /task with a bad state', method: 'POST', path: '/task', body: { workerId: 'w', taskId: 't', state: 'done' }, status: 400, code: 'invalid_input' },
  { name: 'PUT /worker without queues', method: 'PUT', path: '/worker', body: { name: 'x' }, status: 400, code: 'invalid_input' },
  { name: 'PUT /worker with a queue named *', method: 'PUT', path: '/worker', body: { queues: ['*'] }, status: 400, code: 'invalid_input' },
  { name: 'PUT /worker with an empty queue in the list', method: 'PUT', path: '/worker', body: { queues: 'a,,b' }, status: 400, code: 'invalid_input' },
  { name: 'PUT /interest with a comma in the queue name', method: 'PUT', path: '/interest', body: { queue: 'a,b', interests: '*' }, status: 400, code: 'invalid_input' },
  { name: 'PUT /interest with a non-string pattern', method: 'PUT', path: '/interest', body: { queue: 'a', interests: { k: 5 } }, status: 400, code: 'invalid_input' },
  { name: 'PUT /interest with an empty map', method: 'PUT', path: '/interest', body: { queue: 'a', interests: {} }, status: 400, code: 'invalid_input' },
  { name: 'PUT /interest with a catastrophic backreference', method: 'PUT', path: '/interest', body: { queue: 'a', interests: { k: '^(a|aa)+\\1$' } }, status: 400, code: 'pattern_invalid' },
  { name: 'PATCH /queue with maxAttempts as text', method: 'PATCH', path: '/queue', body: { queue: 'a', maxAttempts: 'five' }, status: 400, code: 'invalid_input' },
  { name: 'PATCH /queue with a negative backoff', method: 'PATCH', path: '/queue', body: { queue: 'a', backoffSeconds: -1 }, status: 400, code: 'invalid_input' },
  { name: 'PATCH /queue with a pushUrl that is not http', method: 'PATCH', path: '/queue', body: { queue: 'a', pushUrl: 'file:///etc/passwd' }, status: 400, code: 'invalid_input' },
  { name: 'DELETE /queue without a queue', method: 'DELETE', path: '/queue', status: 400, code: 'invalid_input' },
  { name: 'DELETE /worker with both selectors', method: 'DELETE', path: '/worker?workerId=w&queue=q', status: 400, code: 'invalid_input' },
  { name: 'GET /failed with a negative limit', method: 'GET', path: '/failed?limit=-1', status: 400, code: 'invalid_input' },
  { name: 'GET /queue/tasks with limit over 1000', method: 'GET', path: '/queue/tasks?queue=a&state=ready&limit=1001', status: 400, code: 'invalid_input' },
  { name: 'GET /failed with an unknown parameter', method: 'GET', path: '/failed?colour=red', status: 400, code: 'invalid_input' },
  { name: 'DELETE /failed with no selection', method: 'DELETE', path: '/failed', status: 400, code: 'invalid_input' },
  { name: 'DELETE /failed with ids and all', method: 'DELETE', path: '/failed?taskIds=a&all=true', status: 400, code: 'invalid_input' },
  { name: 'GET /status with an unknown part', method: 'GET', path: '/status?everything=1', status: 400, code: 'invalid_input' },
  // Found by the hostile review (issue 17): each once reproduced against a running broker.
  { name: 'data nested 20,000 levels deep', method: 'PUT', path: '/task', raw: `{"publisher":"p","data":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`, status: 400, code: 'invalid_input' },
  { name: 'a batch event nested 5,000 levels deep', method: 'PUT', path: '/tasks', raw: `{"events":[{"publisher":"p","data":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}]}`, status: 400, code: 'invalid_input' },
  { name: 'a dry run nested 20,000 levels deep', method: 'POST', path: '/interest/dry-run', raw: `{"data":${'[' .repeat(20_000)}${']'.repeat(20_000)}}`, status: 400, code: 'invalid_input' },
  { name: 'a queue named __proto__', method: 'PUT', path: '/interest', body: { queue: '__proto__', interests: '*' }, status: 400, code: 'invalid_input' },
  { name: 'a worker on a queue named constructor', method: 'PUT', path: '/worker', body: { queues: 'a,constructor' }, status: 400, code: 'invalid_input' },
  { name: 'a queue name that looks like a hashed long name', method: 'PATCH', path: '/queue', body: { queue: '#0123abcd', paused: true }, status: 400, code: 'invalid_input' },
  { name: 'an idempotencyKey of the scheduler\'s', method: 'PUT', path: '/task', body: { publisher: 'cron', data: {}, idempotencyKey: 'schedule:nightly:1800000000000' }, status: 400, code: 'invalid_input' },
  { name: 'an unknown route', method: 'GET', path: '/nope', status: 404, code: 'route_not_found' },
  { name: 'a known path with the wrong method', method: 'PATCH', path: '/task', body: {}, status: 404, code: 'route_not_found' },
];

describe('hostile input', () => {
  let s: TestServer;
  let worker: string;
  let snapshot: string;

  async function state(): Promise<string> {
    const [q, i, w, f] = await Promise.all([s.api.status('?queues'), s.api.status('?interests'), s.api.status('?workers'), s.api.call('GET', '/failed')]);
    return JSON.stringify([q, i, w.workers.map((x: { workerId: string; queues: string[]; tasks: string[] }) => [x.workerId, x.queues, x.tasks]), f.body]);
  }

  before(async () => {
    s = await startTestServer();
    await s.api.interest('a', { type: '^x$' });
    await s.api.publish({ type: 'x' });
    worker = await s.api.worker(['a']);
    await s.api.take(worker);
    await s.api.publish({ type: 'x' });
    // The match counts are written once a second: the snapshot is taken once they are.
    await until('match counts written', async () => (await s.api.status('?interests')).matches.a?.['{"type":"^x$"}']?.count === 2);
    snapshot = await state();
  });
  after(() => s.stop());

  for (const c of CASES) {
    it(`${c.name}: ${c.status} ${c.code}, nothing changes`, async () => {
      const r = await s.api.call(c.method, c.path, c.body, c.raw !== undefined ? { raw: c.raw, ...(c.contentType ? { contentType: c.contentType } : {}) } : {});
      assert.equal(r.status, c.status, r.text.slice(0, 300));
      assert.equal(r.body?.code, c.code);
      assert.equal(typeof r.body.error, 'string');
      assert.ok(Array.isArray(r.body.details));
      assert.doesNotMatch(r.text, /at .*\.(ts|js):\d+/, 'no stack trace');
      assert.equal(await state(), snapshot);
    });
  }

  it('a validation error names the field and where it was', async () => {
    const r = await s.api.call('PUT', '/task', { publisher: 'p', data: {}, priority: 'high' });
    assert.deepEqual(r.body.details[0], { where: 'body', field: 'priority', message: 'must be integer' });
  });
});
