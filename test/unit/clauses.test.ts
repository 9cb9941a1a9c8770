// The clause form of interests: each operator on a table of cases (numeric strings, missing fields,
// arrays, anything-but with no field), errors naming the clause, the route and the dry run naming the
// clause; and, by property, the CouchQueue map form routing exactly as the plain definition says.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileInterestMap, checkInterestMap } from '../../src/routing/compile.js';
import { routeEvent, flattenFields } from '../../src/routing/match.js';
import { explainRouting } from '../../src/routing/explain.js';
import type { Condition } from '../../src/model.js';

const matches = (condition: Condition, data: Record<string, unknown>, field = 'f') =>
  routeEvent({ revision: 1, queues: [compileInterestMap('q', [{ [field]: condition }])] }, data).length === 1;

describe('interest clauses', () => {
  const cases: [string, Condition, Record<string, unknown>, boolean][] = [
    ['regex on text', '^user', { f: 'userCreated' }, true],
    ['regex on a number\'s text', '^18$', { f: 18 }, true],
    ['regex on a missing field', '.*', {}, false],
    ['equals a string', { equals: 'FR' }, { f: 'FR' }, true],
    ['equals is exact', { equals: 'FR' }, { f: 'fr' }, false],
    ['equals a number is not its text', { equals: 18 }, { f: '18' }, false],
    ['equals null', { equals: null }, { f: null }, true],
    ['equals-ignore-case', { 'equals-ignore-case': 'fr' }, { f: 'FR' }, true],
    ['prefix', { prefix: 'user' }, { f: 'userCreated' }, true],
    ['prefix on a number', { prefix: '1' }, { f: 18 }, false],
    ['suffix', { suffix: 'Created' }, { f: 'userCreated' }, true],
    ['anything-but a list', { 'anything-but': ['a', 'b'] }, { f: 'c' }, true],
    ['anything-but a listed value', { 'anything-but': ['a', 'b'] }, { f: 'a' }, false],
    ['anything-but with the field missing', { 'anything-but': ['a'] }, {}, false],
    ['anything-but a prefix', { 'anything-but': { prefix: 'test-' } }, { f: 'prod-1' }, true],
    ['anything-but a prefix it has', { 'anything-but': { prefix: 'test-' } }, { f: 'test-1' }, false],
    ['numeric range in', { numeric: ['>=', 18, '<', 65] }, { f: 30 }, true],
    ['numeric range edge', { numeric: ['>=', 18, '<', 65] }, { f: 65 }, false],
    ['numeric on a numeric string', { numeric: ['=', 18] }, { f: '18' }, false],
    ['numeric on a missing field', { numeric: ['>', 0] }, {}, false],
    ['exists true', { exists: true }, { f: null }, true],
    ['exists false', { exists: false }, { g: 1 }, true],
    ['exists false but present', { exists: false }, { f: 0 }, false],
    ['cidr v4', { cidr: '10.0.0.0/8' }, { f: '10.1.2.3' }, true],
    ['cidr v4 outside', { cidr: '10.0.0.0/8' }, { f: '11.1.2.3' }, false],
    ['cidr v6', { cidr: '2001:db8::/32' }, { f: '2001:db8::1' }, true],
    ['cidr on text that is no address', { cidr: '10.0.0.0/8' }, { f: 'ten' }, false],
    ['an array matches when any item does', { equals: 'b' }, { f: ['a', 'b'] }, true],
    ['anything-but on an array: some item is not excluded', { 'anything-but': ['a'] }, { f: ['a', 'c'] }, true],
    ['exists on an empty array', { exists: true }, { f: [] }, true],
  ];
  for (const [what, condition, data, expected] of cases) {
    it(`${what}: ${JSON.stringify(condition)} on ${JSON.stringify(data)} is ${expected}`, () => {
      assert.equal(matches(condition, data), expected);
    });
  }

  it('dot paths reach nested fields, through arrays of objects and by index', () => {
    assert.equal(matches({ equals: 'FR' }, { user: { address: { country: 'FR' } } }, 'user.address.country'), true);
    assert.equal(matches({ equals: 'x' }, { items: [{ sku: 'y' }, { sku: 'x' }] }, 'items.sku'), true);
    assert.equal(matches({ equals: 'y' }, { tags: ['x', 'y'] }, 'tags.1'), true);
    assert.equal(matches({ equals: 'y' }, { tags: ['x', 'y'] }, 'tags.0'), false);
  });

  it('all fields of a clause must hold; any clause routes, and the route names it', () => {
    const q = compileInterestMap('signups', [{ type: '^userCreated$', country: { equals: 'FR' }, age: { numeric: ['>=', 18] } }, { vip: { equals: true } }]);
    const route = (data: Record<string, unknown>) => routeEvent({ revision: 3, queues: [q] }, data)[0]?.route.interest ?? null;
    assert.deepEqual(route({ type: 'userCreated', country: 'FR', age: 30 }), { clause: 0, conditions: { type: '^userCreated$', country: { equals: 'FR' }, age: { numeric: ['>=', 18] } } });
    assert.equal(route({ type: 'userCreated', country: 'DE', age: 30 }), null);
    assert.deepEqual(route({ type: 'x', vip: true }), { clause: 1, conditions: { vip: { equals: true } } });
    const [why] = explainRouting({ revision: 3, queues: [q] }, { type: 'userCreated', country: 'DE', age: 30 });
    assert.equal(why!.why, 'clause 0: country {"equals":"FR"} does not hold (value "DE"); clause 1: vip {"equals":true} does not hold (no such field)');
  });

  it('every bad condition is refused, naming its clause and field', () => {
    const problems = checkInterestMap([{ a: { numeric: ['>', 'x'] } }, { b: { nope: 1 } as unknown as Condition, c: '(x)\\1' }, {}, { d: { cidr: '10.0.0.0/40' } }, { 'e..f': 'x' }]);
    assert.deepEqual(problems.map((p) => p.where), ['interests[0].a', 'interests[1].b', 'interests[1].c', 'interests[2]', 'interests[3].d', 'interests[4].e..f']);
    assert.throws(() => compileInterestMap('q', [{ a: { equals: [1] } as unknown as Condition }]), /interests\[0\]\.a/);
  });

  it('the CouchQueue map form routes exactly as its definition says: some field matches a key and its value the value', () => {
    const word = fc.constantFrom('a', 'b', 'ab', 'user', 'type', '1');
    const data = fc.dictionary(word, fc.oneof(word, fc.integer({ min: 0, max: 20 }), fc.dictionary(word, word, { maxKeys: 2 })), { maxKeys: 4 });
    const map = fc.dictionary(word, word, { minKeys: 1, maxKeys: 3 });
    fc.assert(fc.property(map, data, (m, d) => {
      const expected = flattenFields(d).some(([path, text]) => Object.entries(m).some(([k, v]) => path.includes(k) && text.includes(v)));
      return (routeEvent({ revision: 1, queues: [compileInterestMap('q', m)] }, d).length === 1) === expected;
    }), { numRuns: 500 });
  });
});
