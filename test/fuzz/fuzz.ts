// The fuzz property, against a real broker: no answer is a 5xx, the process keeps answering, and a
// 4xx leaves the store exactly as it was (status, interests, policies, workers, schedules, tokens,
// the failed queue). Shared by the bounded run in npm test and `npm run fuzz`.
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { client } from '../helpers/http.js';
import { isPushed } from '../../src/lifecycle/limits.js';

// Requests carry an admin token: a generated PUT /token would otherwise end open mode mid-run.
const ADMIN = 'fuzz-admin-token-0123456789';
const AUTH = { authorization: `Bearer ${ADMIN}` };
import { fuzzRequest, type FuzzRequest } from './requests.js';

async function send(s: TestServer, r: FuzzRequest) {
  // A fastPost publish is stored after its 202, racing the next snapshot: the fuzzer sends none.
  if (r.body !== null && typeof r.body === 'object' && (r.body as { fastPost?: unknown }).fastPost === true) (r.body as { fastPost?: unknown }).fastPost = false;
  const qs = r.query && Object.keys(r.query).length ? `?${new URLSearchParams(r.query)}` : '';
  const res = await fetch(`${s.url}${r.path}${qs}`, {
    method: r.method,
    headers: r.body === undefined ? AUTH : { ...AUTH, 'content-type': 'application/json' },
    body: r.body === undefined ? undefined : JSON.stringify(r.body),
  });
  return { status: res.status, text: await res.text() };
}

type Worker = { name: string; workerId: string; queues: string[]; tasks: string[] };
/** The broker's own push workers (push@host:pid). */
const ownPushWorker = (w: Worker) => w.name.startsWith('push@');

/** What a refused request must not change (times of use aside), and the queues it leaves out. The
 *  broker's own push workers (push@host:pid) are left out: one whose queue stops pushing (a pushUrl
 *  or allowTaskPushUrl removed, or the queue deleted) stays while a delivery of its is under way, and
 *  goes when that ends, whatever request runs meanwhile. So are the queues that no longer push and
 *  that only they name (a deleted one leaves the list when they go). The snapshot after a request
 *  leaves out the same queues as the one before it. */
async function snapshot(s: TestServer, leaveOut?: ReadonlySet<string>): Promise<{ text: string; leftOut: ReadonlySet<string> }> {
  const get = async (p: string) => JSON.parse(await (await fetch(`${s.url}${p}`, { headers: AUTH })).text());
  const [queues, { matches: _matches, ...interests }, workers, schedules, failed, tokens, unrouted] = await Promise.all([
    get('/status?queues&limit=1000'), get('/status?interests'), get('/status?workers'), get('/schedule'), get('/failed?limit=1000'), get('/token'), get('/unrouted?limit=1000'),
  ]);
  const leftOut = leaveOut ?? await leavingQueues(workers.workers as Worker[], get);
  const listed = (queues.queues as { name: string }[]).filter((q) => !leftOut.has(q.name));
  const policies = await Promise.all(listed.slice(0, 20).map((q) => get(`/status?queue=${encodeURIComponent(q.name)}`)));
  // The interests' match counts come and go too, written once a second after the publishes that made them.
  const text = JSON.stringify([{ ...queues, total: queues.total - (queues.queues.length - listed.length), queues: listed }, interests,
    (workers.workers as Worker[]).filter((w) => !ownPushWorker(w)).map((w) => [w.workerId, w.queues, w.tasks]),
    schedules.schedules.map(({ nextRuns: _n, ...rest }: { nextRuns: unknown }) => rest), failed, tokens, unrouted, policies.map((p) => [p.queue, p.policy, p.counts])]);
  return { text, leftOut };
}

/** Queues only the broker's push workers name that push no more: they may leave the list any moment. */
async function leavingQueues(workers: Worker[], get: (p: string) => Promise<unknown>): Promise<Set<string>> {
  const byOthers = new Set(workers.filter((w) => !ownPushWorker(w)).flatMap((w) => w.queues));
  const leaving = new Set<string>();
  for (const queue of new Set(workers.filter(ownPushWorker).flatMap((w) => w.queues))) {
    if (byOthers.has(queue)) continue;
    const { policy } = await get(`/status?queue=${encodeURIComponent(queue)}`) as { policy?: { pushUrl: string | null; allowTaskPushUrl: boolean } };
    if (!policy || !isPushed(policy)) leaving.add(queue);
  }
  return leaving;
}

/** Runs numRuns generated requests; returns how many ran and how many were refused with a 4xx. */
export async function fuzzBroker(numRuns: number, seed?: number): Promise<{ runs: number; refused: number; seed: number | undefined }> {
  const s = await startTestServer({ SWITCHYARD_ADMIN_TOKEN: ADMIN });
  const api = client(s.url, ADMIN);
  let runs = 0;
  let refused = 0;
  try {
    // Something for requests to meet: queues, a worker with a task, a failed task, a schedule.
    await api.interest('a', '*');
    await api.interest('b', { type: '^x$' });
    await api.call('PATCH', '/queue', { queue: 'b', maxAttempts: 1 });
    await api.publish({ type: 'x' });
    const w = await api.worker(['b', 'a']);
    const t = await api.take(w);
    await api.report(w, t.taskId, 'fail', { failReason: 'seeded' });
    await api.publish({ type: 'x' });
    await api.call('PUT', '/schedule', { name: 'nightly', cron: '0 3 * * *', event: { publisher: 'p', data: {} } });
    await fc.assert(fc.asyncProperty(fuzzRequest, async (r) => {
      runs++;
      const before = await snapshot(s);
      const a = await send(s, r);
      assert.ok(a.status < 500, `${r.method} ${r.path} answered ${a.status}: ${a.text.slice(0, 300)}\n${JSON.stringify(r).slice(0, 500)}`);
      assert.equal((await fetch(`${s.url}/healthz`)).status, 200, 'still answering');
      if (a.status >= 400) {
        refused++;
        assert.equal((await snapshot(s, before.leftOut)).text, before.text, `${r.method} ${r.path} answered ${a.status} but changed the store: ${JSON.stringify(r).slice(0, 500)}`);
      }
    }), { numRuns, ...(seed !== undefined ? { seed } : {}) });
  } finally {
    await s.stop();
  }
  return { runs, refused, seed };
}
