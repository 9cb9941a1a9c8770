// The soak's clients, and what each of them saw. Publishers (one event a request, and batches)
// always send an idempotencyKey and send the same key again after a lost answer, and sometimes on
// purpose; workers succeed, fail, hang past their lease, or vanish without unregistering; one
// operator retries the failed queue, another purges queue c's backlog. Events go to queues a and b
// (workers), c (one slow worker, and purges) and p (pushed to receiver.mjs). Every answer is
// recorded for the checker (check.mjs).
import http from 'node:http';
import { createHash } from 'node:crypto';

/** What the clients saw. */
export class Seen {
  requests = 0;
  statuses = new Map();
  /** 5xx answers other than 503, with what was asked. */
  serverErrors = [];
  /** Requests that got no answer (a broker killed under them). */
  lost = 0;
  /** idempotencyKey → event ids answered for it (one, or the key was not honoured). */
  eventsByKey = new Map();
  repeatsAnswered = 0;
  /** Task ids of every 201 answer: each must be found at the end (but those a purge erased). */
  published = new Set();
  /** taskId → its queue, from the publish answers. */
  queueOf = new Map();
  /** Purges of queue c answered, the tasks they said they erased, and purges whose answer was lost. */
  purges = 0;
  purged = 0;
  lostPurges = 0;
  /** taskId → success reports answered 200. */
  successes = new Map();
  /** Tasks whose report got no answer: a second completion of one is not a double run. */
  lostReports = new Set();
  hung = 0;
  vanished = 0;
  failedOnPurpose = 0;
  retriedByOperator = 0;

  /** 4xx answers by code (a 409 of a report whose lease ran out, say). */
  refusals = new Map();

  status(s) { this.statuses.set(s, (this.statuses.get(s) ?? 0) + 1); }
}

export class LostAnswer extends Error {}

/** Requests spread over the brokers; a request a broker did not answer throws LostAnswer. */
export function httpClient(urls, seen) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let next = 0;
  return async function call(method, path, body, { to } = {}) {
    const base = to ?? urls[next++ % urls.length];
    const payload = body === undefined ? undefined : JSON.stringify(body);
    seen.requests++;
    try {
      const { status, text } = await new Promise((resolve, reject) => {
        const req = http.request(base + path, { method, agent, timeout: 40_000, headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {} }, (res) => {
          let t = ''; res.setEncoding('utf8'); res.on('data', (c) => { t += c; }); res.on('end', () => resolve({ status: res.statusCode, text: t })); res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', reject);
        req.end(payload);
      });
      seen.status(status);
      if (status >= 500 && status !== 503) seen.serverErrors.push({ method, path, status, text: text.slice(0, 300) });
      const parsed = text ? JSON.parse(text) : null;
      if (status >= 400 && status < 500) { const k = `${method} ${path.split('?')[0]} ${status} ${parsed?.code}`; seen.refusals.set(k, (seen.refusals.get(k) ?? 0) + 1); }
      // A polite client: after a 503 (the store is out of reach), a moment before the next request.
      if (status === 503) await pause(50);
      return { status, body: parsed, base };
    } catch (e) {
      seen.lost++;
      throw new LostAnswer(`${method} ${path}: ${e.message}`);
    }
  };
}

const pause = (ms) => new Promise((r) => setTimeout(r, ms));
/** Which queue an event goes to, from its key alone: a repeat sends the very same event. */
const QUEUES = ['a', 'b', 'c', 'p'];
const queueOf = (key) => QUEUES[createHash('sha1').update(key).digest()[0] % QUEUES.length];
const eventOf = (publisher, key) => ({ publisher, data: { q: queueOf(key), key }, idempotencyKey: key });

function answered(seen, key, a) {
  const ids = seen.eventsByKey.get(key) ?? new Set();
  ids.add(a.eventId);
  seen.eventsByKey.set(key, ids);
  if (a.replayed) seen.repeatsAnswered++;
  for (const t of a.tasks ?? []) { seen.published.add(t.taskId); seen.queueOf.set(t.taskId, t.queue); }
}

/** A publish whose answer was lost or 503 may still have been stored: its key goes again until
 *  answered, even once the load stops (a few tries), so every stored task is one the check knows. */
const goOn = (ctx, again, tries) => !ctx.stopped || (again !== null && tries < 20);

export async function publisher(ctx, name) {
  const { call, seen, rng } = ctx;
  let i = 0;
  let again = null;
  for (let tries = 0; goOn(ctx, again, tries); tries += ctx.stopped ? 1 : 0) {
    // After a lost answer the same key goes again; now and then a key is repeated on purpose.
    const key = again ?? (rng() < 0.05 && i > 0 ? `${name}-${i - 1}` : `${name}-${i++}`);
    again = null;
    try {
      const r = await call('PUT', '/task', eventOf(name, key));
      if (r.status === 201 || r.status === 200) answered(seen, key, r.body);
      else if (r.status === 503) again = key;
      await pause(ctx.publishEveryMs); // mixed load held for minutes, not a bench
    } catch (e) {
      if (!(e instanceof LostAnswer)) throw e;
      again = key;
      await pause(50);
    }
  }
}

export async function batchPublisher(ctx, name) {
  const { call, seen } = ctx;
  let i = 0;
  let again = null;
  for (let tries = 0; goOn(ctx, again, tries); tries += ctx.stopped ? 1 : 0) {
    const keys = again ?? Array.from({ length: 10 }, (_, j) => `${name}-${i}-${j}`);
    if (!again) i++;
    again = null;
    try {
      const r = await call('PUT', '/tasks', { events: keys.map((k) => eventOf(name, k)) });
      if (r.status === 201 || r.status === 200) r.body.events.forEach((a, j) => answered(seen, keys[j], a));
      else if (r.status === 503) again = keys;
      await pause(ctx.publishEveryMs * 10);
    } catch (e) {
      if (!(e instanceof LostAnswer)) throw e;
      again = keys;
      await pause(50);
    }
  }
}

/** slowMs: how long it works on each task before its report (queue c's worker, so c has a backlog). */
export async function worker(ctx, queues, { slowMs = 0 } = {}) {
  const { call, seen, rng } = ctx;
  let workerId = null;
  while (!ctx.stopped) {
    try {
      workerId ??= (await call('PUT', '/worker', { queues, name: 'soak' })).body?.workerId ?? null;
      if (!workerId) { await pause(100); continue; }
      const r = await call('GET', `/task?workerId=${workerId}&wait=1`);
      if (r.status === 404) { workerId = null; continue; } // reaped: register again
      const task = r.body?.task;
      if (!task) continue;
      const roll = rng();
      if (roll < 0.04) { seen.hung++; continue; } // never reported: its lease runs out
      if (roll < 0.08) { seen.vanished++; workerId = null; continue; } // gone without a word
      if (slowMs) await pause(slowMs);
      const state = roll < 0.18 ? 'fail' : 'success';
      if (state === 'fail') seen.failedOnPurpose++;
      try {
        const rep = await call('POST', '/task', { workerId, taskId: task.taskId, state, ...(state === 'fail' ? { failReason: 'soak: on purpose' } : {}) });
        if (rep.status === 200 && state === 'success') seen.successes.set(task.taskId, (seen.successes.get(task.taskId) ?? 0) + 1);
      } catch (e) {
        if (!(e instanceof LostAnswer)) throw e;
        seen.lostReports.add(task.taskId);
      }
    } catch (e) {
      if (!(e instanceof LostAnswer)) throw e;
      await pause(100);
    }
  }
}

/** Every few seconds, retries every failed task of queue b (a's stay failed, for the checker). */
export async function operator(ctx) {
  while (!ctx.stopped) {
    await pause(5000);
    try {
      const r = await ctx.call('POST', '/failed/retry', { all: true, queue: 'b' });
      if (r.status === 200) ctx.seen.retriedByOperator += r.body.retried;
    } catch (e) {
      if (!(e instanceof LostAnswer)) throw e;
    }
  }
}

/** Every 8–12 s, erases queue c's waiting tasks (DELETE /queue/tasks). */
export async function purger(ctx) {
  const { call, seen, rng } = ctx;
  while (!ctx.stopped) {
    await pause(8000 + rng() * 4000);
    if (ctx.stopped) return;
    try {
      const r = await call('DELETE', '/queue/tasks?queue=c');
      if (r.status === 200) { seen.purges++; seen.purged += r.body.purged; }
    } catch (e) {
      if (!(e instanceof LostAnswer)) throw e;
      seen.lostPurges++;
    }
  }
}
