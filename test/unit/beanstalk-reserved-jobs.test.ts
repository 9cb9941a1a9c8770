// The jobs a beanstalkd connection holds reserved: the soonest lease end (DEADLINE_SOON) and whether
// a worker still holds any, kept right however jobs come, go and are touched, and at any count.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ReservedJobs } from '../../src/beanstalk/reserved-jobs.js';

/** A seeded sequence (xorshift), so a failure can be run again. */
function draws(seed: number) {
  let x = seed;
  return (n: number) => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) % n; };
}

describe('reserved jobs of a beanstalkd connection', () => {
  it('the soonest lease end and who holds jobs match a plain walk over the jobs, step by step', () => {
    const r = new ReservedJobs();
    const mirror = new Map<number, { workerId: string; leaseExpiresAtMs: number }>();
    const next = draws(2026);
    for (let step = 0; step < 5000; step++) {
      const jobId = next(40);
      const op = next(4);
      if (op <= 1) {
        const job = { taskId: `t${jobId}`, workerId: `w${next(12)}`, leaseExpiresAtMs: 1000 + next(10_000) };
        r.add(jobId, job);
        mirror.set(jobId, job);
      } else if (op === 2) {
        const atMs = 1000 + next(10_000);
        r.renew(jobId, atMs);
        const m = mirror.get(jobId);
        if (m) mirror.set(jobId, { ...m, leaseExpiresAtMs: atMs });
      } else {
        assert.equal(r.delete(jobId)?.taskId, mirror.has(jobId) ? `t${jobId}` : undefined);
        mirror.delete(jobId);
      }
      assert.equal(r.size, mirror.size);
      assert.equal(r.soonestLeaseEndMs(), mirror.size ? Math.min(...[...mirror.values()].map((j) => j.leaseExpiresAtMs)) : Infinity, `step ${step}`);
      for (const w of Array.from({ length: 12 }, (_, i) => `w${i}`)) assert.equal(r.holds(w), [...mirror.values()].some((j) => j.workerId === w), `step ${step}, ${w}`);
    }
  });

  it('holds 200,000 jobs and still answers the soonest end (spreading them into Math.min threw)', () => {
    const r = new ReservedJobs();
    for (let id = 1; id <= 200_000; id++) r.add(id, { taskId: `t${id}`, workerId: 'w', leaseExpiresAtMs: 10_000_000 - id });
    assert.equal(r.soonestLeaseEndMs(), 10_000_000 - 200_000);
    r.delete(200_000);
    assert.equal(r.soonestLeaseEndMs(), 10_000_000 - 199_999);
  });

  it('jobs that come and go beside one long-held job leave no heap behind them', () => {
    const r = new ReservedJobs();
    r.add(0, { taskId: 't0', workerId: 'w', leaseExpiresAtMs: 1 });
    for (let id = 1; id <= 10_000; id++) {
      r.add(id, { taskId: `t${id}`, workerId: 'w', leaseExpiresAtMs: 1000 + id });
      r.renew(id, 2000 + id);
      r.delete(id);
    }
    assert.equal(r.soonestLeaseEndMs(), 1);
    assert.ok(r.heapEntries <= 2 * r.size + 65, `${r.heapEntries} heap entries for ${r.size} job`);
    r.clear();
    assert.equal(r.soonestLeaseEndMs(), Infinity);
    assert.equal(r.holds('w'), false);
  });
});
