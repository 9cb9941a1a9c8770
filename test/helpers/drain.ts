// Several broker nodes over one store: publish through all of them, then drain with workers spread
// over them, checking that no task is ever held by two workers at once and each completes once.
import assert from 'node:assert/strict';
import { client } from './http.js';
import { spawnBroker, type BrokerProcess } from './process.js';

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

/** Starts `nodes` brokers on one store, publishes total tasks through them, drains them and checks
 *  that every task completed exactly once; kills the brokers whatever happens. */
export async function completeOnNodes(store: string, nodes: number, total: number, workersPerNode: number, maxCount: number): Promise<void> {
  const brokers: BrokerProcess[] = [];
  try {
    for (let i = 0; i < nodes; i++) brokers.push(await spawnBroker(store));
    const apis = brokers.map((b) => client(b.url));
    await publishThroughAll(apis, total);
    const completed = await drainExactlyOnce(apis, workersPerNode, maxCount);
    assert.equal(completed.size, total);
    for (const [id, n] of completed) assert.equal(n, 1, `task ${id} completed ${n} times`);
    assert.equal((await apis[apis.length - 1]!.status('?queue=jobs')).counts.succeeded, total);
  } finally {
    for (const b of brokers) b.proc.kill('SIGKILL');
    await Promise.all(brokers.map((b) => b.exited));
  }
}
