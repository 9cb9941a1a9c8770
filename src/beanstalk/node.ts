// The beanstalkd protocol listener of one broker node (SWITCHYARD_BEANSTALK_PORT): connections,
// each a Session whose commands are answered in order; the server-wide replies (stats, stats-tube,
// list-tubes, pause-tube); and a stop that answers DRAINING to puts, then returns every reserved job.
import net from 'node:net';
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Broker } from '../broker/index.js';
import type { Logger } from '../log.js';
import { COMMAND_NAMES, CommandReader, isTubeName, line, withData, yamlDict, type Read } from './protocol.js';
import { Session } from './session.js';

export interface BeanstalkOptions { host: string; port: number; maxJobBytes: number; version: string }

/** Commands read ahead of the one being answered (a reserve may wait): past this, reading pauses. */
const MAX_QUEUED_COMMANDS = 1000;
/** How long a stop lets commands under way finish before it closes the connections. */
const STOP_GRACE_MS = 2000;
/** A pause-tube delay this long or longer is a pause until resumed (no timer left behind). */
const MAX_PAUSE_TIMER_S = 24 * 3600;

interface Connection { socket: net.Socket; session: Session; idle: () => boolean }

export class BeanstalkNode {
  draining = false;
  stopping = false;
  private server: net.Server | null = null;
  private readonly connections = new Set<Connection>();
  private readonly commands = new Map<string, number>();
  private totalConnections = 0;
  private readonly startedAtMs = Date.now();
  private readonly id = randomUUID().slice(0, 16);
  /** Tubes paused for a while by this node: resumed by its timer. */
  private readonly pauses = new Map<string, { timer: NodeJS.Timeout; untilMs: number }>();

  constructor(private readonly broker: Broker, private readonly opts: BeanstalkOptions, private readonly log: Logger) {}

  async start(): Promise<number> {
    const server = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => { server.off('error', reject); resolve(); });
    });
    this.server = server;
    return (server.address() as net.AddressInfo).port;
  }

  counted(command: string): void {
    this.commands.set(command, (this.commands.get(command) ?? 0) + 1);
  }

  private accept(socket: net.Socket): void {
    this.totalConnections++;
    socket.setNoDelay(true);
    const session = new Session(this.broker, this, `beanstalk ${socket.remoteAddress}:${socket.remotePort}`);
    const reader = new CommandReader(this.opts.maxJobBytes);
    const queue: Read[] = [];
    let running = false;
    let closed = false;
    const conn: Connection = { socket, session, idle: () => !running && queue.length === 0 && !reader.midCommand };
    this.connections.add(conn);
    const answer = async () => {
      if (running) return;
      running = true;
      while (queue.length && !closed) {
        const r = queue.shift()!;
        if ('fatal' in r) { socket.end(line(r.fatal)); break; }
        if ('error' in r) { socket.write(line(r.error)); continue; }
        let reply: Buffer | null;
        try {
          reply = await session.handle(r.command);
        } catch (e) {
          this.log.error('beanstalk command failed', { command: r.command.name, error: (e as Error).message });
          reply = line('INTERNAL_ERROR');
        }
        if (r.command.name === 'quit') { socket.end(); break; }
        if (reply && !closed && !socket.write(reply)) await new Promise((ok) => { socket.once('drain', ok); socket.once('close', ok); });
      }
      running = false;
      if (queue.length < MAX_QUEUED_COMMANDS / 2) socket.resume();
    };
    socket.on('data', (chunk: Buffer) => {
      queue.push(...reader.push(chunk));
      if (queue.length >= MAX_QUEUED_COMMANDS) socket.pause();
      void answer();
    });
    // A reset by the peer is a close like any other.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      this.connections.delete(conn);
      session.close().catch((e: Error) => this.log.warn('beanstalk worker not removed', { error: e.message }));
    });
  }

  /** Names of the tubes there are: every queue whose name is a valid tube name. */
  async tubes(): Promise<string[]> {
    return (await this.broker.store.queueSummaries()).map((q) => q.name).filter(isTubeName);
  }

  private sessions(): Session[] { return [...this.connections].map((c) => c.session); }

  async statsTube(tube: string): Promise<Buffer> {
    const [q] = await this.broker.store.queueSummaries(tube);
    if (!q) return line('NOT_FOUND');
    const totals = (await this.broker.store.totals())[tube];
    const pause = this.pauses.get(tube);
    return withData('OK', yamlDict({
      name: tube, 'current-jobs-urgent': 0, 'current-jobs-ready': q.counts.ready, 'current-jobs-reserved': q.counts.started,
      'current-jobs-delayed': q.counts.scheduled, 'current-jobs-buried': q.counts.failed, 'total-jobs': totals?.published ?? 0,
      'current-using': this.sessions().filter((s) => s.using === tube).length,
      'current-watching': this.sessions().filter((s) => s.watching.includes(tube)).length,
      'current-waiting': this.sessions().filter((s) => s.waiting && s.watching.includes(tube)).length,
      'cmd-delete': 0, 'cmd-pause-tube': 0, pause: q.policy.paused ? 1 : 0,
      'pause-time-left': pause ? Math.max(0, Math.ceil((pause.untilMs - Date.now()) / 1000)) : 0,
    }));
  }

  async stats(): Promise<Buffer> {
    const queues = await this.broker.store.queueSummaries();
    const sum = (f: (q: (typeof queues)[number]) => number) => queues.reduce((n, q) => n + f(q), 0);
    const totals = Object.values(await this.broker.store.totals());
    const cpu = process.cpuUsage();
    const cmd = Object.fromEntries(COMMAND_NAMES.filter((c) => c !== 'quit').map((c) => [`cmd-${c}`, this.commands.get(c) ?? 0]));
    const sessions = this.sessions();
    return withData('OK', yamlDict({
      'current-jobs-urgent': 0, 'current-jobs-ready': sum((q) => q.counts.ready), 'current-jobs-reserved': sum((q) => q.counts.started),
      'current-jobs-delayed': sum((q) => q.counts.scheduled), 'current-jobs-buried': sum((q) => q.counts.failed), ...cmd,
      'job-timeouts': 0, 'total-jobs': totals.reduce((n, t) => n + t.published, 0), 'max-job-size': this.opts.maxJobBytes,
      'current-tubes': queues.length, 'current-connections': this.connections.size, 'current-producers': 0,
      'current-workers': sessions.filter((s) => s.waiting).length, 'current-waiting': sessions.filter((s) => s.waiting).length,
      'total-connections': this.totalConnections, pid: process.pid, version: `"switchyard ${this.opts.version}"`,
      'rusage-utime': (cpu.user / 1e6).toFixed(6), 'rusage-stime': (cpu.system / 1e6).toFixed(6), uptime: Math.floor((Date.now() - this.startedAtMs) / 1000),
      'binlog-oldest-index': 0, 'binlog-current-index': 0, 'binlog-records-migrated': 0, 'binlog-records-written': 0, 'binlog-max-size': 0,
      draining: this.draining, id: this.id, hostname: os.hostname(), os: os.release(), platform: process.arch,
    }));
  }

  /** Pauses the tube (its queue) for delay seconds on every node; this node's timer resumes it. */
  async pauseTube(tube: string, delay: number): Promise<Buffer> {
    if (!(await this.broker.store.getQueuePolicy(tube)) && !(await this.broker.store.queueSummaries(tube)).length) return line('NOT_FOUND');
    clearTimeout(this.pauses.get(tube)?.timer);
    this.pauses.delete(tube);
    await this.broker.updateQueuePolicy(tube, { paused: delay > 0 });
    if (delay > 0 && delay < MAX_PAUSE_TIMER_S) {
      const timer = setTimeout(() => {
        this.pauses.delete(tube);
        this.broker.updateQueuePolicy(tube, { paused: false }).catch((e: Error) => this.log.warn('beanstalk pause-tube not ended', { tube, error: e.message }));
      }, delay * 1000);
      timer.unref();
      this.pauses.set(tube, { timer, untilMs: Date.now() + delay * 1000 });
    }
    return line('PAUSED');
  }

  /** Puts answer DRAINING, then, once commands under way are answered (or after a grace), every
   *  connection closes and its reserved jobs return to ready. */
  async stop(): Promise<void> {
    this.draining = true;
    this.stopping = true;
    for (const p of this.pauses.values()) clearTimeout(p.timer);
    const closed = this.server ? new Promise<void>((resolve) => this.server!.close(() => resolve())) : Promise.resolve();
    const until = Date.now() + STOP_GRACE_MS;
    while (Date.now() < until && [...this.connections].some((c) => !c.idle() && !c.session.waiting)) await new Promise((r) => setTimeout(r, 20));
    const sessions = this.sessions();
    for (const c of this.connections) c.socket.destroy();
    await Promise.all(sessions.map((s) => s.close().catch(() => undefined)));
    await closed;
  }
}
