// The soak's checker: reads the brokers' final state, independently of what they claim about
// themselves where it can, and holds it against what the clients saw (clients.mjs). Each invariant
// answers {name, held, count, broken: [examples]}.

const ENDS_HOLD = new Set(['succeeded', 'failed', 'retry-scheduled', 'lease-expired', 'returned', 'cancelled', 'retried']);
const STATES = ['scheduled', 'ready', 'started', 'succeeded', 'failed', 'cancelled'];

/** Reads every published task (in parallel, a few at a time). */
async function readTasks(call, ids) {
  const tasks = new Map();
  const missing = [];
  const list = [...ids];
  for (let i = 0; i < list.length; i += 32) {
    await Promise.all(list.slice(i, i + 32).map(async (id) => {
      const r = await call('GET', `/status?task=${id}`);
      if (r.status === 200) tasks.set(id, r.body.task);
      else missing.push({ taskId: id, status: r.status });
    }));
  }
  return { tasks, missing };
}

/** Two holders at once: a start while another worker's start has not ended (by success, failure,
 *  lease expiry, return...). Reads the task's own history. */
function overlappingHolds(t) {
  let holder = null;
  for (const h of t.history) {
    if (h.what === 'started') {
      if (holder !== null) return { taskId: t.taskId, history: t.history };
      holder = h.workerId;
    } else if (ENDS_HOLD.has(h.what)) holder = null;
  }
  return null;
}

/** Waits until nothing moves by itself: no task started (hung ones' leases run out), scheduled
 *  (retries' backoffs end) or, in the pushed queue, ready, so the counts hold still while they are
 *  compared. */
async function settle(call, queues, pushed) {
  const moving = (q) => (q === pushed ? ['started', 'scheduled', 'ready'] : ['started', 'scheduled']);
  for (let i = 0; i < 600; i++) {
    // The rows themselves, not the counts (which are under check).
    const rows = await Promise.all(queues.flatMap((q) => moving(q).map(async (s) => (await call('GET', `/queue/tasks?queue=${q}&state=${s}&limit=1000`)).body.tasks.length)));
    if (rows.every((n) => n === 0)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('tasks still started or scheduled 60 s after the load stopped');
}

export async function check(call, seen, { schedule, queues, pushed, purged, receiver }) {
  const results = [];
  const add = (name, count, broken, extra = {}) => results.push({ name, held: broken.length === 0, count, broken: broken.slice(0, 5), ...extra });

  await settle(call, queues, pushed);
  const { tasks, missing } = await readTasks(call, seen.published);
  const inPurged = (id) => seen.queueOf.get(id) === purged;
  add('every publish answered 201 was stored: its tasks are there (delivered, waiting or failed)', [...seen.published].filter((id) => !inPurged(id)).length, missing.filter((m) => !inPurged(m.taskId)));
  add(...purges(seen, purged, missing.filter((m) => inPurged(m.taskId))));
  add(...pushesAgree(receiver, [...tasks.values()].filter((t) => t.queue === pushed)));
  add('every push delivery carried a valid signature', receiver.deliveries, receiver.badSignatures);

  const twice = [...seen.successes].filter(([id, n]) => n > 1 && !seen.lostReports.has(id)).map(([taskId, n]) => ({ taskId, successes: n, history: tasks.get(taskId)?.history }));
  const afterLost = [...seen.successes].filter(([id, n]) => n > 1 && seen.lostReports.has(id)).length;
  add('no task completed twice (success answered 200 twice)', seen.successes.size, twice, { afterLostReport: afterLost, lostReports: seen.lostReports.size });

  const overlaps = [...tasks.values()].map(overlappingHolds).filter(Boolean);
  add('no two workers held one task at once (from each task\'s history)', tasks.size, overlaps);

  const keyBroken = [...seen.eventsByKey].filter(([, ids]) => ids.size !== 1).map(([key, ids]) => ({ key, eventIds: [...ids] }));
  add('every idempotent repeat stored nothing (one event per key)', seen.eventsByKey.size, keyBroken, { repeatsAnswered: seen.repeatsAnswered });

  const ticks = await ticksOnce(call, schedule);
  add(...ticks.result);
  add(...await countsAgree(call, queues, [...tasks.values(), ...ticks.tasks], async () => (await ticksOnce(call, schedule)).tasks));

  add('no answer was a 5xx but 503', seen.requests, seen.serverErrors);
  return results;
}

/** Every tick of the every-second schedule fired once: no two firings of one tick, and between two
 *  firings as many seconds as the later one says it covered (1 + missedTicks). */
async function ticksOnce(call, { queue }) {
  const r = await call('GET', `/queue/tasks?queue=${queue}&state=ready&limit=1000`);
  const pages = [r.body.tasks];
  for (let offset = 1000; offset < r.body.total; offset += 1000) pages.push((await call('GET', `/queue/tasks?queue=${queue}&state=ready&limit=1000&offset=${offset}`)).body.tasks);
  const listed = pages.flat();
  const origins = listed.map((t) => t.history.find((h) => h.what === 'created')?.origin).filter(Boolean);
  const byTick = new Map(listed.map((t) => [Math.round((t.history.find((h) => h.what === 'created')?.origin?.tickAt ?? 0) * 1000), t]));
  const ticks = origins.map((o) => ({ at: Math.round(o.tickAt * 1000), missed: o.missedTicks ?? 0 })).sort((a, b) => a.at - b.at);
  const broken = [];
  for (let i = 1; i < ticks.length; i++) {
    const gap = (ticks[i].at - ticks[i - 1].at) / 1000;
    if (gap === 0) broken.push({ tick: new Date(ticks[i].at).toISOString(), fired: 'twice' });
    else if (gap !== 1 + ticks[i].missed) {
      const t = byTick.get(ticks[i].at);
      broken.push({ tick: new Date(ticks[i].at).toISOString(), secondsSincePrevious: gap, covers: 1 + ticks[i].missed, created: t ? new Date(t.createdAt * 1000).toISOString() : null,
        before: ticks.slice(Math.max(0, i - 16), i).map((x) => `${new Date(x.at).toISOString().slice(17, 23)}${x.missed ? `+${x.missed}` : ''}@${new Date(byTick.get(x.at).createdAt * 1000).toISOString().slice(17, 23)}`) });
    }
  }
  return { tasks: listed, result: ['every schedule tick fired exactly once (missed ones collapse into one firing that says so)', ticks.length, broken, { missedTicks: ticks.reduce((n, t) => n + t.missed, 0) }] };
}

/** /status counts of each queue (kept by the store as tasks move) against the tasks themselves, as
 *  read one by one. The schedule is paused by now, but a pass already under way may still fire a
 *  tick: the schedule's queue is listed again (relist) while the two differ, a few times. */
async function countsAgree(call, queues, tasks, relist) {
  const broken = [];
  for (const q of queues) {
    for (let attempt = 1; ; attempt++) {
      const status = (await call('GET', `/status?queue=${q}`)).body.counts;
      const fromTasks = Object.fromEntries(STATES.map((s) => [s, 0]));
      for (const t of tasks) if (t.queue === q) fromTasks[t.state]++;
      if (!STATES.some((s) => status[s] !== fromTasks[s])) break;
      if (attempt >= 10 || !tasks.some((t) => t.queue === q && t.history[0]?.origin)) { broken.push({ queue: q, status, fromTasks }); break; }
      await new Promise((r) => setTimeout(r, 300));
      tasks = [...tasks.filter((t) => t.queue !== q), ...await relist()];
    }
  }
  return ['counts in /status equal the counts of the tasks themselves', queues.length, broken];
}

/** A purge erases waiting tasks without a trace: tasks of the purged queue may be missing, but no
 *  more of them than the purges said they erased (bounded only while no purge's answer was lost). */
function purges(seen, queue, missing) {
  const published = [...seen.published].filter((id) => seen.queueOf.get(id) === queue).length;
  const broken = seen.lostPurges === 0 && missing.length > seen.purged ? [{ missing: missing.length, purgesSaidErased: seen.purged, examples: missing.slice(0, 5) }] : [];
  return [`tasks missing from purged queue ${queue} are no more than the purges erased`, published, broken,
    { purges: seen.purges, erased: seen.purged, missing: missing.length, lostPurgeAnswers: seen.lostPurges }];
}

/** The push receiver's record against the pushed queue's tasks: no task in flight to it twice at
 *  once, and every task that succeeded was answered 2xx (delivered again after a 2xx: counted). */
function pushesAgree(receiver, tasks) {
  const broken = receiver.overlaps.map((o) => ({ ...o, inFlightTwice: true, history: tasks.find((t) => t.taskId === o.taskId)?.history }));
  for (const t of tasks) if (t.state === 'succeeded' && !receiver.ok.has(t.taskId)) broken.push({ taskId: t.taskId, succeededWithout2xx: true, history: t.history });
  const again = [...receiver.ok.values()].filter((n) => n > 1).length;
  return ['pushed tasks: none in flight twice at once, each success answered 2xx by the receiver', tasks.length, broken,
    { succeeded: tasks.filter((t) => t.state === 'succeeded').length, failed: tasks.filter((t) => t.state === 'failed').length, deliveredAgainAfter2xx: again }];
}
