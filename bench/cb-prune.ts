// Couchbase pruning, with and without what a finished minute says of its tasks: N tasks finish, then
// pruning sweeps take them out; the same again with the minutes stripped to ids, as minutes from
// before were written (pruning then reads every task). Prints the time of each sweep.
//   COUCHBASE_CONNSTR=… node --import tsx bench/cb-prune.ts      (N=2000, REPS=3)
import { randomUUID } from 'node:crypto';
import { connect } from 'couchbase';
import { openCouchbaseStore } from '../src/store/couchbase/open.js';
import { systemClock } from '../src/clock.js';
import { couchbaseTestSettings } from '../test/helpers/couchbase.js';
import { ev, RULES } from '../test/store-contract/harness.js';

const settings = couchbaseTestSettings();
if (!settings) { console.error('bench: set COUCHBASE_CONNSTR (and credentials)'); process.exit(1); }
const N = Number(process.env.N ?? 2000);
const REPS = Number(process.env.REPS ?? 3);
const cluster = await connect(settings.connStr, { username: settings.username, password: settings.password });
const coll = cluster.bucket(settings.bucket).defaultCollection();

async function sweep(layout: 'facts' | 'ids only'): Promise<number> {
  const keyPrefix = `bench-${randomUUID()}`;
  const store = await openCouchbaseStore({ ...settings!, keyPrefix }, systemClock);
  try {
    const now = Date.now();
    for (let i = 0; i < N; i += 100) {
      await store.publishEvents(Array.from({ length: Math.min(100, N - i) }, () => ev(['a'], { runAtMs: now - 1000 })), now);
    }
    const w = await store.registerWorker('w', ['a'], now);
    for (let done = 0; done < N;) {
      const c = await store.claimTasks(w.workerId, 100, now, RULES);
      if (c.outcome !== 'ok' || c.tasks.length === 0) throw new Error('nothing to claim');
      await store.completeTasks(w.workerId, c.tasks.map((t) => ({ taskId: t.taskId })), now);
      done += c.tasks.length;
    }
    if (layout === 'ids only') {
      const q = (await coll.get(`${keyPrefix}:q:a`)).content as { finishedMinutes: number[] };
      for (const m of q.finishedMinutes) {
        const key = `${keyPrefix}:d:a:${m}`;
        await coll.replace(key, { ids: ((await coll.get(key)).content as { ids: string[] }).ids });
      }
    }
    // Each pass takes at most 200 tasks of a minute (a transaction's worth), as the sweep does.
    const t0 = performance.now();
    let pruned = 0;
    for (let n; (n = await store.pruneFinishedTasks(now + 7_200_000, 3_600_000, N)) > 0;) pruned += n;
    const ms = performance.now() - t0;
    if (pruned !== N) throw new Error(`pruned ${pruned} of ${N}`);
    return ms;
  } finally {
    await store.close();
  }
}

for (let rep = 1; rep <= REPS; rep++) {
  // The mock slows as it keeps every revision: the two alternate which goes first.
  let withFacts: number; let idsOnly: number;
  if (rep % 2) { withFacts = await sweep('facts'); idsOnly = await sweep('ids only'); }
  else { idsOnly = await sweep('ids only'); withFacts = await sweep('facts'); }
  console.log(JSON.stringify({ rep, tasks: N, pruneMs: { facts: Math.round(withFacts), idsOnly: Math.round(idsOnly) }, ratio: +(idsOnly / withFacts).toFixed(2) }));
}
await cluster.close();
