// Several broker nodes over one store: publish through all of them, then drain with workers spread
// over them, checking that no task is ever held by two workers at once and each completes once.
import assert from 'node:assert/strict';
import type { client } from './http.js';

type Api = ReturnType<typeof client>;

/** Publishes total events to queue 'jobs' in batches of 100, taking turns over the nodes. */
export async function publishThroughAll(apis: Api[], total: number): Promise<void> {
  await apis[0]!.interest('jobs', '*');
  for (let from = 0, turn = 0; from < total; from += 100, turn++) {
    const events = Array.from({ length: Math.min(100, total - from) }, (_, i) => ({ publisher: 'p', data: { i: from + i } }));
    const r = await apis[turn % apis.length]!.call('PUT', '/tasks', { events });
    assert.equal(r.status, 201, r.text);
  }
}

/** workersPerNode workers on every node take up to maxCount tasks at a time until 'jobs' is empty. */
export async function drainExactlyOnce(apis: Api[], workersPerNode: number, maxCount: number): Promise<Map<string, number>> {
  const started = new Map<string, number>();
  const completed = new Map<string, number>();
  const worker = async (api: Api) => {
    const w = await api.worker(['jobs']);
    for (;;) {
      const r = await api.call('GET', `/task?workerId=${w}&count=${1 + Math.floor(Math.random() * maxCount)}`);
      assert.equal(r.status, 200, r.text);
      if (!r.body.tasks.length) return;
      for (const t of r.body.tasks) {
        // Still started elsewhere? Then two workers hold it at once.
        assert.equal(started.get(t.taskId) ?? 0, completed.get(t.taskId) ?? 0, `task ${t.taskId} started twice at once`);
        started.set(t.taskId, (started.get(t.taskId) ?? 0) + 1);
      }
      const rep = await api.call('POST', '/tasks', { workerId: w, reports: r.body.tasks.map((t: { taskId: string }) => ({ taskId: t.taskId, state: 'success' })) });
      assert.equal(rep.status, 200, rep.text);
      for (const x of rep.body.results) {
        assert.equal(x.ok, true, JSON.stringify(x));
        completed.set(x.taskId, (completed.get(x.taskId) ?? 0) + 1);
      }
    }
  };
  await Promise.all(apis.flatMap((api) => Array.from({ length: workersPerNode }, () => worker(api))));
  return completed;
}
