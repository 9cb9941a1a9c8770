// `npm run fuzz`: the fuzz property over many more requests than npm test's bounded run.
//   FUZZ_RUNS=20000 FUZZ_SEED=42 npm run fuzz
import { fuzzBroker } from './fuzz.js';

const runs = Number(process.env.FUZZ_RUNS ?? 5000);
const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const t0 = Date.now();
const r = await fuzzBroker(runs, seed);
console.log(`fuzz: ${r.runs} requests tried, ${r.refused} refused with a 4xx (store unchanged each time), no 5xx, in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
