// What a broker with many queues keeps per interest pattern: a compiled RE2 program is about 15 KB,
// so a matcher holds none until a value reaches it (10,000 queues of three patterns kept 650 MB of
// RSS before), and a literal pattern never does.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { compilePattern, type TextMatcher } from '../../src/routing/pattern-safety.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMb = () => { gc(); return process.memoryUsage().heapUsed / 1e6; };

describe('interest patterns in memory', () => {
  it('2,000 regex and 2,000 literal patterns hold no compiled programs until matched, and match alike', () => {
    const before = heapMb();
    const kept: TextMatcher[] = [];
    for (let i = 0; i < 2000; i++) {
      for (const p of [`^tier${i}(gold|silver)?$`, `^order-q${i}$`]) {
        const m = compilePattern(p);
        assert.ok(!('problem' in m), p);
        kept.push(m);
      }
    }
    const grown = heapMb() - before;
    assert.ok(grown < 5, `4,000 patterns kept ${grown.toFixed(1)} MB (a compiled program each would be about 60)`);
    assert.deepEqual([kept[0]!.test('tier0gold'), kept[0]!.test('tier0bronze'), kept[1]!.test('order-q0'), kept[1]!.test('order-q01')], [true, false, true, false]);
    assert.deepEqual([kept[2]!.test('tier1'), kept[2]!.test('xtier1')], [true, false], 'compiled on first use, then kept');
  });
});
