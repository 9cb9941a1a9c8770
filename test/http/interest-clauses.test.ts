// Interests in the clause form over HTTP, on the store under test: stored and answered as given,
// routing by all conditions of any clause, the task's route and the dry run naming the clause, and
// a bad condition refused with a 400 naming it, changing nothing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('interest clauses', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer(); });
  after(() => s.stop());

  it('routes by clauses, beside a CouchQueue map, and says which clause matched', async () => {
    const clauses = [{ type: '^userCreated$', country: { equals: 'FR' }, age: { numeric: ['>=', 18, '<', 65] } }, { 'user.vip': { exists: true } }];
    assert.deepEqual((await s.api.interest('fr-adults', clauses)).interests, clauses);
    await s.api.interest('all-users', { '^type$': '^user' });
    const route = async (data: Record<string, unknown>) => {
      const r = await s.api.publish(data);
      return Object.fromEntries(await Promise.all(r.tasks.map(async (t: { taskId: string; queue: string }) => [t.queue, (await s.api.status(`?task=${t.taskId}`)).task.route.interest])));
    };
    assert.deepEqual(await route({ type: 'userCreated', country: 'FR', age: 30 }), {
      'fr-adults': { clause: 0, conditions: clauses[0] },
      'all-users': { field: 'type', keyPattern: '^type$', valuePattern: '^user' },
    });
    assert.deepEqual(Object.keys(await route({ type: 'userCreated', country: 'FR', age: '30' })), ['all-users'], 'the text "30" is no number');
    assert.deepEqual((await route({ type: 'x', user: { vip: false } }))['fr-adults'], { clause: 1, conditions: clauses[1] });
    const dry = await s.api.call('POST', '/interest/dry-run', { data: { type: 'userCreated', country: 'DE', age: 30 } });
    const fr = dry.body.queues.find((q: { queue: string }) => q.queue === 'fr-adults');
    assert.match(fr.why, /^clause 0: country \{"equals":"FR"\} does not hold \(value "DE"\); clause 1: user\.vip \{"exists":true\} does not hold/);
    assert.deepEqual((await s.api.status('?interests=1')).interests['fr-adults'], clauses);
    // How often each clause and pair took an event, on this node.
    const metrics = (await s.api.call('GET', '/metrics')).text;
    assert.match(metrics, /^switchyard_interest_matches_total\{queue="fr-adults",clause="0"\} 1$/m);
    assert.match(metrics, /^switchyard_interest_matches_total\{queue="fr-adults",clause="1"\} 1$/m);
    assert.match(metrics, /^switchyard_interest_matches_total\{queue="all-users",clause="key:\^type\$"\} 2$/m);
  });

  it('refuses a bad condition with a 400 naming its clause and field, and keeps the interests it had', async () => {
    await s.api.interest('strict', [{ a: { prefix: 'x' } }]);
    for (const bad of [[{ a: { numeric: ['>', 'x'] } }], [{ a: { between: [1, 2] } }], [{ a: '(x)\\1' }], [{}], []]) {
      const r = await s.api.call('PUT', '/interest', { queue: 'strict', interests: bad });
      assert.equal(r.status, 400, JSON.stringify(bad));
    }
    const r = await s.api.call('PUT', '/interest', { queue: 'strict', interests: [{ a: 'ok' }, { b: { cidr: 'nope' } }] });
    assert.deepEqual([r.body.code, /^interests\[1\]\.b: /.test(r.body.error)], ['pattern_invalid', true]);
    assert.deepEqual((await s.api.status('?interests=1')).interests.strict, [{ a: { prefix: 'x' } }]);
  });
});
