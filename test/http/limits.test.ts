// Queue limits with several pulling workers over a few seconds, checked by counting the start and
// finish times the store recorded (no timing assertions on speed): rateLimit is a token bucket one
// second deep, so any W seconds hold at most rateLimit·(W+1) starts; concurrency caps tasks started
// at once. A worker that finds its first queue held gets its next queue.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';

type Hist = { what: string; at: number; workerId?: string }[];

describe('queue limits with several workers', () => {
  let s: TestServer;
  afterEach(() => s.stop());

  /** Workers take and finish tasks until the deadline, or until enough is taken (done: counts, so a
   *  slow or busy store only makes the run longer); each holds a task holdMs before reporting. */
  async function work(queues: string[], workers: number, ms: number, holdMs: number, done: (taken: Record<string, number>) => boolean = () => false) {
    const ids = await Promise.all(Array.from({ length: workers }, (_, i) => s.api.worker(queues, `w${i}`)));
    const deadline = Date.now() + ms;
    const taken: Record<string, number> = {};
    await Promise.all(ids.map(async (w) => {
      while (Date.now() < deadline && !done(taken)) {
        const t = await s.api.take(w);
        if (!t) { await new Promise((r) => setTimeout(r, 10)); continue; }
        taken[t.queue] = (taken[t.queue] ?? 0) + 1;
        if (holdMs) await new Promise((r) => setTimeout(r, holdMs));
        assert.equal((await s.api.report(w, t.taskId, 'success')).status, 200);
      }
    }));
    return taken;
  }
  async function histories(queue: string): Promise<Hist[]> {
    const r = await s.api.call('GET', `/queue/tasks?queue=${queue}&state=succeeded&limit=1000`);
    return r.body.tasks.map((t: { history: Hist }) => t.history);
  }

  it('rateLimit: never more than rateLimit·(W+1) starts in any W seconds, across workers; the rest go to the next queue', async () => {
    s = await startTestServer();
    const rate = 5;
    await s.api.interest('limited', { q: '^limited$' });
    await s.api.interest('spare', { q: '^spare$' });
    await s.api.call('PATCH', '/queue', { queue: 'limited', rateLimit: rate });
    await s.api.call('PUT', '/tasks', { events: Array.from({ length: 60 }, (_, i) => ({ publisher: 't', data: { q: 'limited', i } })) });
    await s.api.call('PUT', '/tasks', { events: Array.from({ length: 400 }, (_, i) => ({ publisher: 't', data: { q: 'spare', i } })) });
    const taken = await work(['limited', 'spare'], 4, 30_000, 0, (t) => (t.limited ?? 0) >= rate * 3 && (t.spare ?? 0) > 0);
    const starts = (await histories('limited')).map((h) => h.find((e) => e.what === 'started')!.at * 1000).sort((a, b) => a - b);
    assert.ok(starts.length >= rate * 2, `the limiter lets work through (${starts.length} starts)`);
    for (const w of [1, 2, 3]) {
      for (const a of starts) {
        const inWindow = starts.filter((t) => t >= a && t < a + w * 1000).length;
        assert.ok(inWindow <= rate * (w + 1), `${inWindow} starts in ${w} s from ${a}: limit ${rate * (w + 1)}`);
      }
    }
    assert.ok((taken.spare ?? 0) > 0, 'workers held back by the limit took their next queue meanwhile');
  });

  it('concurrency: never more tasks started at once than the cap, across workers, and the cap is reached', async () => {
    s = await startTestServer();
    const cap = 2;
    await s.api.interest('capped', '*');
    await s.api.call('PATCH', '/queue', { queue: 'capped', concurrency: cap });
    await s.api.call('PUT', '/tasks', { events: Array.from({ length: 40 }, (_, i) => ({ publisher: 't', data: { i } })) });
    await work(['capped'], 5, 2500, 60);
    const edges: [number, number][] = [];
    for (const h of await histories('capped')) {
      edges.push([h.find((e) => e.what === 'started')!.at, +1]);
      edges.push([h.find((e) => e.what === 'succeeded')!.at, -1]);
    }
    // Finishes before starts at the same instant: a slot freed and taken in one millisecond is not an overlap.
    edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let now = 0;
    let most = 0;
    for (const [, d] of edges) { now += d; most = Math.max(most, now); }
    assert.ok(edges.length >= 20, `enough tasks finished to tell (${edges.length / 2})`);
    assert.equal(most, cap, `at most ${cap} at once, and ${cap} reached (saw ${most})`);
  });
});
