// The interest index (routing/interest-index.ts) narrows which queues a publish matches in full: it
// must never leave out a queue that matches. Checked against matching every queue, on random
// interests of every form and random events.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileInterestMap, checkInterestMap } from '../../src/routing/compile.js';
import { matchQueue, routableFields, routeEvent } from '../../src/routing/match.js';
import { InterestIndex, literalOf } from '../../src/routing/interest-index.js';
import type { InterestMap } from '../../src/model.js';

describe('interest index', () => {
  it('finds the literal a pattern pins its text to, or its start to, and nothing else', () => {
    const table: [string, ReturnType<typeof literalOf>][] = [
      ['^userCreated$', { exact: 'userCreated' }],
      ['^order-', { prefix: 'order-' }],
      ['^tier5(gold|silver)?$', { prefix: 'tier5' }],
      ['^src-7-[a-z]+$', { prefix: 'src-7-' }],
      ['^abc?', { prefix: 'ab' }],
      ['^a\\.b$', { exact: 'a.b' }],
      ['^a\\.?x', { prefix: 'a' }],
      ['^$', { exact: '' }],
      ['^ab\\d', { prefix: 'ab' }],
      ['userCreated', null], // unanchored: a substring anywhere
      ['^a|b', null], // the anchor binds one side only
      ['^(?i)abc', null],
      ['^[ab]c', null],
      ['^a*', null],
      ['^', null],
      ['x^a', null],
    ];
    for (const [pattern, expected] of table) assert.deepEqual(literalOf(pattern), expected, pattern);
    // A bar inside a group or a class does not unanchor.
    assert.deepEqual(literalOf('^ab(c|d)'), { prefix: 'ab' });
    assert.deepEqual(literalOf('^ab[|]'), { prefix: 'ab' });
  });

  it('names only the queues an event can match, and every queue that does', () => {
    const queues = [
      compileInterestMap('a', { type: '^userCreated$' }),
      compileInterestMap('b', { type: '^order-' }),
      compileInterestMap('c', { type: 'user' }), // cannot be filed: always matched in full
      compileInterestMap('d', [{ country: { equals: 'FR' }, age: { numeric: ['>=', 18] } }]),
      compileInterestMap('e', '*'),
      compileInterestMap('f', {}),
    ];
    const index = new InterestIndex(queues);
    const names = (data: Record<string, unknown>) => index.candidates(routableFields(data), data).map((q) => q.queue);
    assert.deepEqual(names({ type: 'userCreated' }), ['a', 'c', 'e']);
    assert.deepEqual(names({ type: 'order-9', country: 'FR' }), ['b', 'c', 'd', 'e']);
    assert.deepEqual(names({ other: 1 }), ['c', 'e']);
  });

  it('routes exactly as matching every queue does (property)', () => {
    const word = fc.constantFrom('a', 'b', 'ab', 'abc', 'user', '1', '12', 'x.y');
    const pattern = fc.oneof(
      word,
      word.map((w) => `^${w}$`),
      word.map((w) => `^${w}`),
      fc.tuple(word, word).map(([w, v]) => `^${w}(${v})?$`),
      fc.tuple(word, word).map(([w, v]) => `^${w}|${v}`),
      word.map((w) => `^${w}[0-9]*$`),
    ).filter((p) => checkInterestMap({ k: p }).length === 0);
    const condition = fc.oneof(
      pattern,
      word.map((w) => ({ equals: w })),
      fc.integer({ min: 0, max: 20 }).map((n) => ({ equals: n })),
      word.map((w) => ({ prefix: w })),
      fc.constant({ exists: true }),
      fc.integer({ min: 0, max: 20 }).map((n) => ({ numeric: ['>', n] })),
    );
    const field = fc.constantFrom('a', 'b', 'ab', 'n.a');
    const interests: fc.Arbitrary<InterestMap> = fc.oneof(
      fc.dictionary(word, pattern, { maxKeys: 3 }),
      fc.array(fc.dictionary(field, condition, { minKeys: 1, maxKeys: 2 }), { maxLength: 3 }),
      fc.constant('*' as const),
    );
    const value = fc.oneof(word, fc.integer({ min: 0, max: 20 }), fc.constant(null), fc.boolean());
    const data = fc.dictionary(fc.constantFrom('a', 'b', 'ab', 'n'), fc.oneof(value, fc.dictionary(fc.constantFrom('a', 'b'), value, { maxKeys: 2 }), fc.array(value, { maxLength: 3 })), { maxKeys: 4 });
    fc.assert(fc.property(fc.array(interests, { minLength: 1, maxLength: 8 }), data, (maps, d) => {
      const compiled = { revision: 1, queues: maps.map((m, i) => compileInterestMap(`q${i}`, m)) };
      const fields = routableFields(d);
      const everyQueue = compiled.queues.flatMap((q) => { const interest = matchQueue(q, fields, d); return interest ? [{ queue: q.queue, route: { revision: 1, interest } }] : []; });
      assert.deepEqual(routeEvent(compiled, d), everyQueue);
    }), { numRuns: 3000 });
  });
});
