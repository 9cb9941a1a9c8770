// A bounded fuzz run (a few hundred generated and mutated requests, well under 30 s): no 5xx, no
// crash, and a 4xx changes nothing. `npm run fuzz` runs the same property longer.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzBroker } from '../fuzz/fuzz.js';

describe('fuzzing every route', () => {
  it('generated and mutated requests: never a 5xx, and a refused one changes nothing', async () => {
    const r = await fuzzBroker(Number(process.env.FUZZ_TEST_RUNS ?? 300));
    assert.ok(r.refused > 0 && r.refused < r.runs, `a mix of accepted and refused requests (${r.refused} of ${r.runs} refused)`);
  });
});
