// A worker's reports, sent in batches (POST /tasks): those finished in the same tick go together, and
// a batch is retried until the broker answers it, so a finished task's report is never lost. A
// report the broker already applied (its answer was lost with the connection) answers 409 on the
// retry: the task is no longer started by us, which is what the report meant. A refused batch
// (the worker removed, the token revoked) is an 'error' event.
import type { Connection } from './connection.js';
import type { ReportResult } from './types.js';

export interface Report { taskId: string; state: 'success' | 'fail'; result?: unknown; failReason?: string }

export class Reporter {
  private pending: { workerId: string; report: Report; done: (r: ReportResult | null) => void }[] = [];
  private sending: Promise<void> = Promise.resolve();
  private scheduled = false;

  constructor(private readonly connection: Connection, private readonly onError: (e: unknown) => void) {}

  /** Resolves once the broker has answered the report (of a task claimed as workerId). */
  report(workerId: string, report: Report): Promise<ReportResult | null> {
    return new Promise((done) => {
      this.pending.push({ workerId, report, done });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => { this.scheduled = false; this.sending = this.sending.then(() => this.send()); });
    });
  }

  async flush(): Promise<void> {
    while (this.pending.length || this.scheduled) {
      await new Promise<void>((r) => setImmediate(r));
      await this.sending;
    }
  }

  private async send(): Promise<void> {
    while (this.pending.length) {
      // One batch: up to 1,000 reports of the same worker id (nearly always the only one).
      const workerId = this.pending[0]!.workerId;
      const batch = this.pending.filter((p) => p.workerId === workerId).slice(0, 1000);
      this.pending = this.pending.filter((p) => !batch.includes(p));
      const reports = batch.map((b) => b.report);
      for (;;) {
        try {
          const { results } = await this.connection.request<{ results: ReportResult[] }>('POST', '/tasks', { body: { workerId, reports }, retry: Infinity });
          batch.forEach((b, i) => b.done(results[i] ?? null));
          break;
        } catch (e) {
          // Refused (the worker was removed, the token revoked): the same batch would be refused again.
          this.onError(e);
          batch.forEach((b) => b.done(null));
          break;
        }
      }
    }
  }
}
