// Store contract, the audit trail: appended, paged newest first, pruned by age.
import assert from 'node:assert/strict';
import type { AuditEntry } from '../../src/store/store.js';
import { T0, type Kit } from './harness.js';

const DAY = 86_400_000;
const entry = (atMs: number, subject: string): AuditEntry =>
  ({ atMs, who: 'ops', role: 'admin', from: '10.0.0.1', what: 'PATCH /queue', subject, fields: ['queue', 'paused'], status: 200 });

export function auditContract({ store, test }: Kit) {
  test('audit: entries page newest first; old ones are pruned', async () => {
    assert.deepEqual(await store.listAudit(10, 0), { total: 0, entries: [] });
    await store.appendAudit(entry(T0 - 3 * DAY, 'oldest'));
    await store.appendAudit(entry(T0 - 1, 'yesterday'));
    await store.appendAudit(entry(T0, 'a'));
    await store.appendAudit(entry(T0 + 1, 'b'));
    const all = await store.listAudit(10, 0);
    assert.equal(all.total, 4);
    assert.deepEqual(all.entries.map((e) => e.subject), ['b', 'a', 'yesterday', 'oldest']);
    assert.deepEqual(all.entries[0], entry(T0 + 1, 'b'));
    assert.deepEqual((await store.listAudit(2, 1)).entries.map((e) => e.subject), ['a', 'yesterday']);
    assert.equal(await store.pruneAudit(T0 - 2 * DAY), 1);
    assert.deepEqual((await store.listAudit(10, 0)).entries.map((e) => e.subject), ['b', 'a', 'yesterday']);
  });
}
