// One beanstalkd connection: the tube it uses, the tubes it watches, and the worker it is once it
// reserves (registered on the watched tubes, visible in /status, removed when it goes, so its
// reserved jobs return). Each command is answered through the broker, as an HTTP route would.
import type { Broker } from '../broker/index.js';
import { BrokerError } from '../errors.js';
import type { WorkTask } from '../model.js';
import { line, withData, yamlDict, yamlList, type Command } from './protocol.js';
import { BURIED, RELEASED, bodyOfData, dataOfBody, jobStateOf, jobStats, priorityOfPri } from './jobs.js';
import type { BeanstalkNode } from './node.js';
import { ReservedJobs } from './reserved-jobs.js';

/** The last second of a reserved job's time is kept as a margin: a reserve in it answers DEADLINE_SOON. */
const SAFETY_MARGIN_MS = 1000;
/** A reserve with no timeout waits in long polls of this many seconds (each ends early on work); each
 *  new poll refreshes the worker's last-seen time, so a connection waiting for hours is not reaped. */
const POLL_SECONDS = 60;

export class Session {
  using = 'default';
  watching: string[] = ['default'];
  /** Set once it reserves: this connection as a worker of its watched tubes. */
  private worker: { id: string; queues: string[] } | null = null;
  /** Workers this connection was before its watch list changed, kept until their jobs are done. */
  private readonly former = new Set<string>();
  private readonly reserved = new ReservedJobs();
  /** Aborted when the connection closes: a waiting reserve ends without taking a job. */
  private readonly gone = new AbortController();
  waiting = false;

  constructor(private readonly broker: Broker, private readonly node: BeanstalkNode, private readonly name: string) {}

  async handle(c: Command): Promise<Buffer | null> {
    this.node.counted(c.name);
    switch (c.name) {
      case 'put': return this.put(c.pri, c.delay, c.body);
      case 'use': this.using = c.tube; return line(`USING ${c.tube}`);
      case 'reserve': return this.reserve(null);
      case 'reserve-with-timeout': return this.reserve(c.timeout);
      case 'delete': return this.delete(c.id);
      case 'release': return this.finish(c.id, { state: 'fail', failReason: RELEASED, retry: { inMs: c.delay * 1000 } }, 'RELEASED');
      case 'bury': return this.finish(c.id, { state: 'fail', failReason: BURIED, retry: 'never' }, 'BURIED');
      case 'touch': return this.finish(c.id, { state: 'progress' }, 'TOUCHED');
      case 'watch': return this.watch(c.tube, true);
      case 'ignore': return this.watch(c.tube, false);
      case 'peek': return this.peek(await this.taskOf(c.id));
      case 'peek-ready': return this.peek(await this.oldest(this.using, 'ready'));
      case 'peek-delayed': return this.peek(await this.oldest(this.using, 'scheduled'));
      case 'peek-buried': return this.peek(await this.oldest(this.using, 'failed'));
      case 'kick': return this.kick(c.bound);
      case 'kick-job': return this.kickJob(c.id);
      case 'stats-job': return this.statsJob(c.id);
      case 'stats-tube': return this.node.statsTube(c.tube);
      case 'stats': return this.node.stats();
      case 'list-tubes': return withData('OK', yamlList(await this.node.tubes()));
      case 'list-tube-used': return line(`USING ${this.using}`);
      case 'list-tubes-watched': return withData('OK', yamlList(this.watching));
      case 'pause-tube': return this.node.pauseTube(c.tube, c.delay);
      case 'quit': return null;
    }
  }

  private async put(pri: number, delay: number, body: Buffer): Promise<Buffer> {
    if (this.node.draining) return line('DRAINING');
    const [answer] = await this.broker.publish([{ publisher: 'beanstalk', queue: this.using, data: dataOfBody(body), priority: priorityOfPri(pri), ...(delay ? { delay } : {}) }]);
    const [jobId] = await this.broker.store.jobIdsOf([answer!.tasks[0]!.taskId]);
    return line(`INSERTED ${jobId}`);
  }

  private async reserve(timeoutSeconds: number | null): Promise<Buffer | null> {
    const deadlineMs = timeoutSeconds === null ? Infinity : Date.now() + timeoutSeconds * 1000;
    this.waiting = true;
    try {
      for (;;) {
        const soonMs = this.reserved.soonestLeaseEndMs() - SAFETY_MARGIN_MS;
        if (soonMs <= Date.now()) return line('DEADLINE_SOON');
        const untilMs = Math.min(deadlineMs, soonMs);
        const waitSeconds = Math.min(POLL_SECONDS, Math.max(0, (untilMs - Date.now()) / 1000));
        const [task] = await this.claim(waitSeconds);
        if (this.gone.signal.aborted) return null;
        if (task) return this.reserved1(task);
        if (Date.now() >= soonMs) return line('DEADLINE_SOON');
        if (Date.now() >= deadlineMs || timeoutSeconds === 0 || this.node.stopping) return line('TIMED_OUT');
      }
    } finally {
      this.waiting = false;
    }
  }

  private async claim(waitSeconds: number): Promise<WorkTask[]> {
    const w = await this.ensureWorker();
    try {
      return await this.broker.claim(w.id, 1, waitSeconds, () => this.gone.signal);
    } catch (e) {
      // Reaped while it sat idle longer than the worker timeout: it registers again.
      if (!(e instanceof BrokerError && e.code === 'worker_not_found')) throw e;
      this.worker = null;
      return [];
    }
  }

  private async reserved1(t: WorkTask): Promise<Buffer> {
    const [jobId] = await this.broker.store.jobIdsOf([t.taskId]);
    this.reserved.add(jobId!, { taskId: t.taskId, workerId: this.worker!.id, leaseExpiresAtMs: t.leaseExpiresAtMs ?? Date.now() });
    return withData(`RESERVED ${jobId}`, bodyOfData(t.data));
  }

  private async ensureWorker(): Promise<{ id: string; queues: string[] }> {
    if (!this.worker) {
      const w = await this.broker.registerWorker(this.name, [...this.watching]);
      this.worker = { id: w.workerId, queues: w.queues };
    }
    return this.worker;
  }

  /** A report on a job this connection reserved: anything else is NOT_FOUND, as in beanstalkd. */
  private async finish(jobId: number, report: { state: 'success' | 'fail' | 'progress'; failReason?: string; retry?: { inMs: number } | 'never' }, ok: string): Promise<Buffer> {
    const r = this.reserved.get(jobId);
    if (!r) return line('NOT_FOUND');
    let outcome;
    try {
      [outcome] = await this.broker.report(r.workerId, [{ taskId: r.taskId, ...report }]);
    } catch (e) {
      if (!(e instanceof BrokerError && e.code === 'worker_not_found')) throw e;
    }
    if (outcome?.outcome !== 'ok') { this.forget(jobId); return line('NOT_FOUND'); }
    if (report.state === 'progress') this.reserved.renew(jobId, outcome.leaseExpiresAtMs ?? r.leaseExpiresAtMs);
    else this.forget(jobId);
    return line(ok);
  }

  private async delete(jobId: number): Promise<Buffer> {
    if (this.reserved.has(jobId)) return this.finish(jobId, { state: 'success' }, 'DELETED');
    const t = await this.taskOf(jobId);
    const state = t ? jobStateOf(t.state) : null;
    if (!t || state === null || state === 'reserved') return line('NOT_FOUND');
    const n = state === 'buried' ? (await this.broker.deleteFailed({ taskIds: [t.taskId] })).deleted : (await this.broker.cancel({ taskId: t.taskId }).catch(() => ({ cancelled: 0 }))).cancelled;
    return line(n ? 'DELETED' : 'NOT_FOUND');
  }

  private async watch(tube: string, add: boolean): Promise<Buffer> {
    const has = this.watching.includes(tube);
    if (!add && has && this.watching.length === 1) return line('NOT_IGNORED');
    if (add !== has) {
      this.watching = add ? [...this.watching, tube] : this.watching.filter((t) => t !== tube);
      await this.retireWorker();
    }
    return line(`WATCHING ${this.watching.length}`);
  }

  /** The worker serves the old watch list: the next reserve registers one for the new list. One
   *  still holding reserved jobs stays until they are done, so they can still be deleted. */
  private async retireWorker(): Promise<void> {
    const w = this.worker;
    if (!w) return;
    this.worker = null;
    if (this.reserved.holds(w.id)) this.former.add(w.id);
    else await this.removeWorker(w.id);
  }

  private forget(jobId: number): void {
    const r = this.reserved.delete(jobId);
    if (r && this.former.has(r.workerId) && !this.reserved.holds(r.workerId)) {
      this.former.delete(r.workerId);
      void this.removeWorker(r.workerId);
    }
  }

  private async removeWorker(workerId: string): Promise<void> {
    await this.broker.removeWorkers({ workerId }).catch(() => undefined);
  }

  private async taskOf(jobId: number) {
    const taskId = await this.broker.store.taskOfJobId(jobId);
    return taskId === null ? null : this.broker.store.getTask(taskId);
  }

  /** The tube's oldest task in a state (beanstalkd's peek-ready would show the most urgent). */
  private async oldest(queue: string, state: 'ready' | 'scheduled' | 'failed') {
    const page = (offset: number) => (state === 'failed' ? this.broker.listFailed({ queue }, 1, offset) : this.broker.listQueueTasks(queue, state, 1, offset));
    const { total } = await page(0);
    return total ? ((await page(total - 1)).tasks[0] ?? null) : null;
  }

  private async peek(t: Awaited<ReturnType<Session['taskOf']>>): Promise<Buffer> {
    if (!t || jobStateOf(t.state) === null) return line('NOT_FOUND');
    const [jobId] = await this.broker.store.jobIdsOf([t.taskId]);
    return withData(`FOUND ${jobId}`, bodyOfData(t.data));
  }

  /** Buried jobs of the used tube back to ready, oldest first. */
  private async kick(bound: number): Promise<Buffer> {
    const { total } = await this.broker.listFailed({ queue: this.using }, 0, 0);
    const n = Math.min(bound, total, 1000);
    if (!n) return line('KICKED 0');
    const { tasks } = await this.broker.listFailed({ queue: this.using }, n, total - n);
    const { retried } = await this.broker.retryFailed({ taskIds: tasks.map((t) => t.taskId) }, {});
    return line(`KICKED ${retried}`);
  }

  private async kickJob(jobId: number): Promise<Buffer> {
    const t = await this.taskOf(jobId);
    if (!t || t.state !== 'failed') return line('NOT_FOUND');
    const { retried } = await this.broker.retryFailed({ taskIds: [t.taskId] }, {}).catch(() => ({ retried: 0 }));
    return line(retried ? 'KICKED' : 'NOT_FOUND');
  }

  private async statsJob(jobId: number): Promise<Buffer> {
    const t = await this.taskOf(jobId);
    if (!t || jobStateOf(t.state) === null) return line('NOT_FOUND');
    const policy = await this.broker.store.getQueuePolicy(t.queue);
    const ttr = policy?.leaseSeconds ?? this.broker.ctx.rules.defaultLeaseSeconds;
    return withData('OK', yamlDict(jobStats(t, jobId, ttr, Date.now())));
  }

  /** The connection is gone: a waiting reserve ends, and its workers go (their jobs return to ready). */
  async close(): Promise<void> {
    this.gone.abort();
    const ids = new Set([...this.former, ...(this.worker ? [this.worker.id] : [])]);
    this.worker = null;
    this.former.clear();
    this.reserved.clear();
    await Promise.all([...ids].map((id) => this.removeWorker(id)));
  }
}
