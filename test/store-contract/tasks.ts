// Store contract, tasks: cancel, and tasks brought in from another store (import).
import assert from 'node:assert/strict';
import { T0, type Kit } from './harness.js';
import type { TaskRecord } from '../../src/store/store.js';

export function tasksContract({ store, test, publish, claim }: Kit) {
  test('cancel by task and by event cancels waiting copies only', async () => {
    const a = await publish(['a', 'b']);
    const w = await store.registerWorker('w', ['b'], T0);
    const [started] = await claim(w.workerId);
    assert.equal(await store.cancelWaitingTasks({ taskId: started!.taskId }, T0), 'not_waiting');
    assert.deepEqual(await store.cancelWaitingTasks({ eventId: a.eventId }, T0), { cancelled: 1 });
    assert.equal((await store.getTask(started!.taskId))!.state, 'started');
    const b = await publish(['a']);
    assert.deepEqual(await store.cancelWaitingTasks({ taskId: b.tasks[0]!.taskId }, T0), { cancelled: 1 });
    assert.equal(await store.cancelWaitingTasks({ taskId: 'nope' }, T0), null);
    assert.equal(await store.cancelWaitingTasks({ eventId: 'nope' }, T0), null);
  });

  test('a queue\'s tasks page newest first from either end: every page is that slice of the whole list', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 13; i++) ids.unshift((await publish(['pages'], {}, T0 + i)).tasks[0]!.taskId);
    const all = await store.listTasks('pages', 'ready', 100, 0);
    assert.deepEqual([all.total, all.tasks.map((t) => t.taskId)], [13, ids]);
    for (let offset = 0; offset <= 14; offset++) {
      for (let limit = 1; limit <= 5; limit++) {
        const page = await store.listTasks('pages', 'ready', limit, offset);
        assert.deepEqual([page.total, page.tasks.map((t) => t.taskId)], [13, ids.slice(offset, offset + limit)], `offset ${offset}, limit ${limit}`);
      }
    }
  });

  test('imported tasks are stored as given, all or none, and then behave like any other', async () => {
    const here = await publish(['src']);
    const template = (await store.getTask(here.tasks[0]!.taskId))!;
    const rec = (n: number, over: Partial<TaskRecord>): TaskRecord => ({
      ...template, taskId: `imp-${n}`, eventId: 'ev-imp', queue: 'imp', data: { n }, history: [{ atMs: T0 - 5000, what: 'created' }], ...over,
    });
    const records = [
      rec(1, { state: 'ready' }),
      rec(2, { state: 'scheduled', runAtMs: T0 + 60_000 }),
      rec(3, { state: 'started', attempts: 1, workerId: 'elsewhere', leaseExpiresAtMs: T0 + 1000, history: [{ atMs: T0 - 5000, what: 'created' }, { atMs: T0 - 10, what: 'started', workerId: 'elsewhere' }] }),
      rec(4, { state: 'failed', attempts: 5, finishedAtMs: T0 - 1, failReason: 'boom' }),
    ];
    assert.deepEqual(await store.importTasks([...records, template], T0), { existing: [template.taskId] });
    assert.deepEqual(await store.getTasks(['imp-1', 'imp-4']), [], 'a batch with one existing id stores nothing');
    assert.deepEqual(await store.importTasks(records, T0), { imported: 4 });
    assert.deepEqual(await store.getTasks(['imp-4', 'nope', 'imp-1', 'imp-2', 'imp-3']), [records[3], records[0], records[1], records[2]]);
    assert.deepEqual(await store.listExportedTaskIds('imp'), ['imp-1', 'imp-2', 'imp-3', 'imp-4']);
    const [q] = await store.queueSummaries('imp');
    assert.deepEqual([q!.counts.ready, q!.counts.scheduled, q!.counts.started, q!.counts.failed], [1, 1, 1, 1]);
    assert.equal((await store.totals()).imp?.published ?? 0, 0, 'no work was done here');
    assert.deepEqual((await store.listFailedTasks({ queue: 'imp' }, 10, 0)).tasks.map((t) => t.taskId), ['imp-4']);
    // Handed out, expired and cancelled like any task: the indexes the driver keeps know them.
    const w = await store.registerWorker('w', ['imp'], T0);
    assert.deepEqual((await claim(w.workerId, 5)).map((t) => t.taskId), ['imp-1']);
    assert.deepEqual(await store.expireLeases(T0 + 2000, 10), { returned: 1, failed: 0 });
    assert.deepEqual(await store.cancelWaitingTasks({ eventId: 'ev-imp' }, T0 + 2000), { cancelled: 2 });
    assert.deepEqual(await store.listExportedTaskIds('imp'), ['imp-1', 'imp-4']);
  });

  test('job ids (beanstalkd): an integer per task, the same every time, even when asked at once, and back to the task', async () => {
    const a = (await publish(['jobs'])).tasks[0]!.taskId;
    const b = (await publish(['jobs'])).tasks[0]!.taskId;
    const [first, again] = await Promise.all([store.jobIdsOf([a, b, 'nope']), store.jobIdsOf([b, a])]);
    assert.ok(Number.isSafeInteger(first[0]) && first[0]! > 0 && Number.isSafeInteger(first[1]) && first[0] !== first[1], JSON.stringify(first));
    assert.equal(first[2], null);
    assert.deepEqual(again, [first[1], first[0]]);
    assert.deepEqual(await store.jobIdsOf([a]), [first[0]]);
    assert.equal(await store.taskOfJobId(first[0]!), a);
    assert.equal(await store.taskOfJobId(first[1]!), b);
    assert.equal(await store.taskOfJobId(987_654_321), null);
  });
}
