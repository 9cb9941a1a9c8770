// The jobs one beanstalkd connection holds reserved. A reserve must know the soonest end of their
// time (DEADLINE_SOON) and a retired worker whether it still holds any: both are answered without
// a walk over every job, since a consumer may hold thousands (a walk per reserve made holding n jobs
// cost n² in all, and spreading them into Math.min threw past about 120,000).
import TinyQueue from 'tinyqueue';

export interface ReservedJob { taskId: string; workerId: string; leaseExpiresAtMs: number }

interface LeaseEnd { jobId: number; atMs: number }
const soonestFirst = (a: LeaseEnd, b: LeaseEnd) => a.atMs - b.atMs;

export class ReservedJobs {
  private readonly jobs = new Map<number, ReservedJob>();
  private readonly perWorker = new Map<string, number>();
  /** Lease ends, soonest first. An entry whose job went or whose lease moved is stale: it is dropped
   *  when it reaches the top, or when stale entries outnumber live ones (the heap is rebuilt). */
  private ends = new TinyQueue<LeaseEnd>([], soonestFirst);

  get size(): number { return this.jobs.size; }
  /** Entries in the lease-end heap, stale ones included (bounded by twice the jobs, plus a little). */
  get heapEntries(): number { return this.ends.length; }

  get(jobId: number): ReservedJob | undefined { return this.jobs.get(jobId); }
  has(jobId: number): boolean { return this.jobs.has(jobId); }

  add(jobId: number, job: ReservedJob): void {
    const before = this.jobs.get(jobId);
    if (before) this.countWorker(before.workerId, -1);
    this.jobs.set(jobId, { ...job });
    this.countWorker(job.workerId, 1);
    this.pushEnd(jobId, job.leaseExpiresAtMs);
  }

  /** The job's time was renewed (touch). */
  renew(jobId: number, leaseExpiresAtMs: number): void {
    const job = this.jobs.get(jobId);
    if (!job || job.leaseExpiresAtMs === leaseExpiresAtMs) return;
    job.leaseExpiresAtMs = leaseExpiresAtMs;
    this.pushEnd(jobId, leaseExpiresAtMs);
  }

  delete(jobId: number): ReservedJob | undefined {
    const job = this.jobs.get(jobId);
    if (!job) return undefined;
    this.jobs.delete(jobId);
    this.countWorker(job.workerId, -1);
    return job;
  }

  /** Whether this worker still holds any of the jobs. */
  holds(workerId: string): boolean { return this.perWorker.has(workerId); }

  /** The soonest lease end among the jobs; Infinity when there are none. */
  soonestLeaseEndMs(): number {
    for (let top = this.ends.peek(); top; top = this.ends.peek()) {
      if (this.jobs.get(top.jobId)?.leaseExpiresAtMs === top.atMs) return top.atMs;
      this.ends.pop();
    }
    return Infinity;
  }

  clear(): void {
    this.jobs.clear();
    this.perWorker.clear();
    this.ends = new TinyQueue<LeaseEnd>([], soonestFirst);
  }

  private pushEnd(jobId: number, atMs: number): void {
    this.ends.push({ jobId, atMs });
    // Stale entries below a long-held job never reach the top: rebuild from the live jobs.
    if (this.ends.length > 2 * this.jobs.size + 64) {
      this.ends = new TinyQueue([...this.jobs].map(([id, j]) => ({ jobId: id, atMs: j.leaseExpiresAtMs })), soonestFirst);
    }
  }

  private countWorker(workerId: string, by: number): void {
    const n = (this.perWorker.get(workerId) ?? 0) + by;
    if (n > 0) this.perWorker.set(workerId, n);
    else this.perWorker.delete(workerId);
  }
}
