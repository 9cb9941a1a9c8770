#!/usr/bin/env node
// Publishers beside busy workers (issue 21): 8 clients publish one event a request for SECONDS, alone
// and while 16 single-task workers drain the same queue, on the built broker (dist/) over a scratch
// SQLite file. The workers report each task with next: true (the report takes the next task: one
// request a task), and, for comparison, as plain workers (GET /task?wait=1, then POST /task). Prints
// the publish rates and their ratio, rep by rep (REPS=3, the phases' order turning each rep); one
// JSON line per rep in the peer kit's format (peer "switchyard-beside"). Want: publishing beside the
// next: true workers keeps >= 70% of its rate alone.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBuiltBroker } from './built-broker.mjs';

const SECONDS = Number(process.env.SECONDS ?? 5);
const REPS = Number(process.env.REPS ?? 3);
const PUBLISHERS = 8;
const WORKERS = 16;
const log = (...a) => console.error('[beside]', ...a);

const scratch = mkdtempSync(path.join(os.tmpdir(), 'switchyard-beside-'));
const broker = await startBuiltBroker(scratch);
const { call } = broker;

/** Events published a second by PUBLISHERS clients over SECONDS. */
async function publishFor(queue) {
  let n = 0;
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: PUBLISHERS }, async () => {
    while (performance.now() < end) { await call('PUT', '/task', { publisher: 'beside', data: { to: queue, n } }); n++; }
  }));
  return n / SECONDS;
}

/** WORKERS single-task workers draining queue while work() runs: with next, each report takes the
 *  next task; plain, a claim and a report per task. */
async function drainWhile(queue, next, work) {
  let stop = false;
  let done = 0;
  const ids = await Promise.all(Array.from({ length: WORKERS }, async () => (await call('PUT', '/worker', { queues: [queue] })).workerId));
  const loops = ids.map(async (workerId) => {
    let task = null;
    while (!stop) {
      task ??= (await call('GET', `/task?workerId=${workerId}&wait=1`)).task;
      if (!task) continue;
      const answer = await call('POST', '/task', { workerId, taskId: task.taskId, state: 'success', ...(next ? { next: true } : {}) });
      done++;
      task = next ? answer.task : null;
    }
    if (task) await call('POST', '/task', { workerId, taskId: task.taskId, state: 'success' });
  });
  const rate = await work();
  stop = true;
  await Promise.all(loops);
  await Promise.all(ids.map((id) => call('DELETE', `/worker?workerId=${id}`)));
  return { rate, drained: done / SECONDS };
}

try {
  for (let rep = 1; rep <= REPS; rep++) {
    const queue = `beside-${rep}`;
    await call('PUT', '/interest', { queue, interests: { to: `^${queue}$` } });
    const m = {};
    // Alternate which phase runs first, so neither always meets a warmer (or fuller) broker.
    const phases = ['alone', 'next', 'plain'];
    for (const phase of [...phases.slice(rep % 3), ...phases.slice(0, rep % 3)]) {
      if (phase === 'alone') { m.publish_alone_rps = await publishFor(queue); continue; }
      const r = await drainWhile(queue, phase === 'next', () => publishFor(queue));
      m[`publish_beside_16_${phase}_workers_rps`] = r.rate;
      m[`drained_by_16_${phase}_workers_rps`] = r.drained;
    }
    const f = (x) => Math.round(x);
    log(`rep ${rep}: alone ${f(m.publish_alone_rps)}/s; beside 16 next: true workers ${f(m.publish_beside_16_next_workers_rps)}/s (drained ${f(m.drained_by_16_next_workers_rps)}/s): `
      + `${(m.publish_beside_16_next_workers_rps / m.publish_alone_rps).toFixed(2)}; beside 16 plain workers ${f(m.publish_beside_16_plain_workers_rps)}/s (drained ${f(m.drained_by_16_plain_workers_rps)}/s): `
      + `${(m.publish_beside_16_plain_workers_rps / m.publish_alone_rps).toFixed(2)}`);
    console.log(JSON.stringify({ run_id: process.env.BENCH_RUN_ID ?? 'beside', rep, ts: new Date().toISOString(), peer: 'switchyard-beside', variant: 'sqlite-full', metrics: m }));
    await call('DELETE', `/queue?queue=${queue}`);
  }
} finally {
  await broker.stop();
  rmSync(scratch, { recursive: true, force: true });
}
