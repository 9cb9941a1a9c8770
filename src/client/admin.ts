// The admin calls a program makes besides publishing and working: interests, queue policy, status,
// the failed queue and schedules, each one request.
import { Connection, type ConnectionOptions } from './connection.js';
import { isTransient } from './errors.js';
import type { FailedFilter, FailedPage, Imported, InterestMap, QueuePolicy, QueuePolicyAnswer, RetryFailed, Schedule, ScheduleDefinition, Status, StatusQuery } from './types.js';

export class Admin {
  readonly connection: Connection;
  constructor(opts: ConnectionOptions = {}) { this.connection = new Connection(opts); }

  setInterests(queue: string, interests: InterestMap) { return this.connection.request<{ queue: string; revision: number }>('PUT', '/interest', { body: { queue, interests } }); }
  removeInterests(queue: string) { return this.connection.request('DELETE', '/interest', { query: { queue } }); }
  setQueuePolicy(queue: string, policy: QueuePolicy) { return this.connection.request<QueuePolicyAnswer>('PATCH', '/queue', { body: { queue, ...policy } }); }
  deleteQueue(queue: string) { return this.connection.request('DELETE', '/queue', { query: { queue } }); }
  status(query: StatusQuery = {}) { return this.connection.request<Status>('GET', '/status', { query: query as Record<string, string> }); }
  listFailed(filter: FailedFilter & { limit?: number; offset?: number } = {}) { return this.connection.request<FailedPage>('GET', '/failed', { query: filter as Record<string, string> }); }
  retryFailed(selection: RetryFailed) { return this.connection.request<{ retried: number }>('POST', '/failed/retry', { body: selection }); }
  deleteFailed(selection: { taskIds: string[] } | ({ all: true } & FailedFilter)) { return this.connection.request<{ deleted: number }>('DELETE', '/failed', { body: selection }); }
  putSchedule(schedule: ScheduleDefinition) { return this.connection.request<Schedule>('PUT', '/schedule', { body: schedule }); }
  listSchedules() { return this.connection.request<{ schedules: Schedule[] }>('GET', '/schedule'); }
  pauseSchedule(name: string, paused: boolean) { return this.connection.request<Schedule>('PATCH', '/schedule', { body: { name, paused } }); }
  deleteSchedule(name: string) { return this.connection.request('DELETE', '/schedule', { query: { name } }); }
  /** GET /export: the broker's whole state, one JSON text a line, as the lines arrive. */
  exportLines(signal?: AbortSignal) { return this.connection.lines('/export', signal); }
  /** POST /import: lines of an export (at most 1,000 tasks), stored all or none. A batch that
   *  met a transient failure (503, a lost connection) is sent again leaving out what is there: its
   *  one transaction either stored it whole or not at all, and only this batch can have stored it. */
  async importLines(lines: readonly string[], opts: { existing?: 'refuse' | 'skip' } = {}): Promise<Imported> {
    const send = (existing: 'refuse' | 'skip', retry?: false) => this.connection.request<Imported>('POST', '/import', {
      query: { existing }, text: { type: 'application/x-ndjson', body: `${lines.join('\n')}\n` }, ...(retry === false ? { retry } : {}),
    });
    const existing = opts.existing ?? 'refuse';
    try {
      return await send(existing, false);
    } catch (e) {
      if (!isTransient(e)) throw e;
      return send('skip');
    }
  }
}
