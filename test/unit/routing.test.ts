import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileInterestMap, checkInterestMap } from '../../src/routing/compile.js';
import { flattenFields, routableFields, routeEvent, FIELD_TEXT_MAX_CHARS } from '../../src/routing/match.js';
import { explainRouting } from '../../src/routing/explain.js';
import { compilePattern } from '../../src/routing/pattern-safety.js';

describe('routing', () => {
  it('flattens nested fields to dot paths and values to text', () => {
    assert.deepEqual(flattenFields({ a: 1, b: { c: true, d: null, e: [1, 'x'] } }), [['a', '1'], ['b.c', 'true'], ['b.d', 'null'], ['b.e.0', '1'], ['b.e.1', 'x']]);
  });

  it('reads at most 10,000 fields and 32 levels of an event; fields too long to route still count', () => {
    const wide = Object.fromEntries(Array.from({ length: 10_050 }, (_, i) => [`f${i}`, i]));
    const fields = flattenFields(wide);
    assert.equal(fields.length, 10_000);
    assert.deepEqual(fields.at(-1), ['f9999', '9999']);
    const long = 'x'.repeat(FIELD_TEXT_MAX_CHARS + 1);
    const mixed = Object.fromEntries(Array.from({ length: 10_050 }, (_, i) => [`f${i}`, i < 50 ? long : i]));
    const routable = routableFields(mixed);
    assert.equal(routable.length, 9_950, 'the 50 long fields are left out, and counted');
    assert.deepEqual([routable[0], routable.at(-1)], [['f50', '50'], ['f9999', '9999']]);
    let deep: Record<string, unknown> = { leaf: 'bottom' };
    for (let level = 40; level > 0; level--) deep = { [`l${level}`]: deep, [`v${level}`]: level };
    const paths = flattenFields(deep).map(([path]) => path);
    assert.equal(paths.length, 32, 'one value at each level an object is read at');
    assert.deepEqual([paths[0], paths.at(-1)], [`${Array.from({ length: 31 }, (_, i) => `l${i + 1}`).join('.')}.v32`, 'v1']);
  });

  it('a pair matches when one field matches both key and value; the first matching pair is the route', () => {
    const q = compileInterestMap('q', { '^type$': '^user', 'user\\.id': '^4' });
    const r = routeEvent({ revision: 7, queues: [q] }, { type: 'order', user: { id: 42 } });
    assert.deepEqual(r, [{ queue: 'q', route: { revision: 7, interest: { field: 'user.id', keyPattern: 'user\\.id', valuePattern: '^4' } } }]);
    assert.deepEqual(routeEvent({ revision: 7, queues: [q] }, { type: 'order', other: 'user' }), []);
  });

  it('key and value must match the same field', () => {
    const q = compileInterestMap('q', { a: '^1$' });
    assert.deepEqual(routeEvent({ revision: 1, queues: [q] }, { a: 2, b: 1 }), []);
  });

  it('literal and anchored literal patterns behave as the regex would', () => {
    for (const [pattern, text, expected] of [['user', 'superuser', true], ['^user$', 'user', true], ['^user$', 'users', false], ['a.c', 'abc', true]] as const) {
      const m = compilePattern(pattern);
      assert.ok(!('problem' in m));
      assert.equal(m.test(text), expected, `${pattern} ~ ${text}`);
    }
  });

  it('refuses what cannot be matched in linear time, and names each problem', () => {
    const problems = checkInterestMap({ '(x)\\1': 'ok', good: '(?!no)' });
    assert.equal(problems.length, 2);
    assert.deepEqual(problems.map((p) => p.pattern), ['(x)\\1', '(?!no)']);
  });

  it('a value over 4 KiB matches no pattern, not even its first part; "*" still takes the event; the dry run says so', () => {
    const anchored = compileInterestMap('anchored', { text: '^a+$' });
    const all = compileInterestMap('all', '*');
    const data = { text: `${'a'.repeat(FIELD_TEXT_MAX_CHARS)}!` };
    assert.deepEqual(routeEvent({ revision: 1, queues: [anchored, all] }, data).map((r) => r.queue), ['all']);
    assert.deepEqual(routeEvent({ revision: 1, queues: [anchored] }, { text: 'a'.repeat(FIELD_TEXT_MAX_CHARS) }).map((r) => r.queue), ['anchored'], 'at the limit it is matched');
    assert.match(explainRouting({ revision: 1, queues: [anchored] }, data)[0]!.why!, /1 field\(s\) over 4096 characters are not matched/);
  });

  it('routing past its budget is refused with routing_too_costly', () => {
    const queues = [compileInterestMap('a', '*'), compileInterestMap('b', '*')];
    assert.throws(() => routeEvent({ revision: 1, queues }, { x: 1 }, -1), (e: Error & { code?: string }) => e.code === 'routing_too_costly');
  });
});
