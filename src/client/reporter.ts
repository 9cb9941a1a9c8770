// A worker's reports, sent in batches (POST /tasks): those finished in the same tick go together, and
// a batch is retried until the broker answers it, so a finished task's report is never lost. A
// report the broker already applied (its answer was lost with the connection) answers 409 on the
// retry: the task is no longer started by us, which is what the report meant. A refused batch
// (the worker removed, the token revoked) is an 'error' event. A batch may carry the worker's next
// claim (`claim`), so a busy worker reports and takes in one round trip, and one commit.
import type { Connection } from './connection.js';
import type { Ask } from './slots.js';
import type { ReportResult, Task } from './types.js';

export interface Report { taskId: string; state: 'success' | 'fail'; result?: unknown; failReason?: string }

/** The worker's side of a claim carried by a report batch: ask() plans one (or null), answered() takes its tasks. */
export interface ClaimRider {
  ask(workerId: string): Ask | null;
  answered(ask: Ask, tasks: Task[], workerId: string): void;
  roundTrip(ms: number): void;
  /** No batch is in flight any more. */
  settled(): void;
}

/** Report batches in flight at once: two keep a busy worker's pipeline full (one is answered while
 *  the other travels) without flooding the broker. */
const IN_FLIGHT = 2;

export class Reporter {
  private pending: { workerId: string; report: Report; done: (r: ReportResult | null) => void }[] = [];
  private inFlight = 0;
  private scheduled = false;
  private idle: (() => void)[] = [];

  constructor(private readonly connection: Connection, private readonly onError: (e: unknown) => void, private readonly rider?: ClaimRider) {}

  /** Whether a batch is on its way (its answer may bring tasks). */
  get busy(): boolean { return this.inFlight > 0 || this.scheduled; }

  /** Resolves once the broker has answered the report (of a task claimed as workerId). */
  report(workerId: string, report: Report): Promise<ReportResult | null> {
    return new Promise((done) => {
      this.pending.push({ workerId, report, done });
      if (this.scheduled) return;
      // Reports made in the same tick go together.
      this.scheduled = true;
      setImmediate(() => { this.scheduled = false; this.launch(); });
    });
  }

  /** Resolves when every report made so far has been answered. */
  async flush(): Promise<void> {
    while (this.busy || this.pending.length) await new Promise<void>((r) => { this.idle.push(r); if (!this.busy) this.launch(); });
  }

  private launch(): void {
    while (this.pending.length && this.inFlight < IN_FLIGHT) {
      this.inFlight++;
      void this.send(this.take()).finally(() => {
        this.inFlight--;
        if (this.pending.length) this.launch();
        else this.settle();
      });
    }
    this.settle();
  }

  private settle(): void {
    if (this.busy) return;
    for (const r of this.idle.splice(0)) r();
    this.rider?.settled();
  }

  /** One batch: up to 1,000 reports of the same worker id (nearly always the only one). */
  private take() {
    const workerId = this.pending[0]!.workerId;
    const batch: typeof this.pending = [];
    const rest: typeof this.pending = [];
    for (const p of this.pending) (p.workerId === workerId && batch.length < 1000 ? batch : rest).push(p);
    this.pending = rest;
    return batch;
  }

  private async send(batch: typeof this.pending): Promise<void> {
    const workerId = batch[0]!.workerId;
    const reports = batch.map((b) => b.report);
    const ask = this.rider?.ask(workerId) ?? null;
    let tasks: Task[] = [];
    const startedAt = performance.now();
    try {
      const answer = await this.connection.request<{ results: ReportResult[]; tasks?: Task[] }>('POST', '/tasks', { body: { workerId, reports, ...(ask ? { claim: ask } : {}) }, retry: Infinity });
      this.rider?.roundTrip(performance.now() - startedAt);
      tasks = answer.tasks ?? [];
      batch.forEach((b, i) => b.done(answer.results[i] ?? null));
    } catch (e) {
      // Refused (the worker was removed, the token revoked): the same batch would be refused again.
      this.onError(e);
      batch.forEach((b) => b.done(null));
    } finally {
      if (ask) this.rider!.answered(ask, tasks, workerId);
    }
  }
}
