// Per queue, what a worker did: processed, failed, running now, tasks a second over the last minute
// and milliseconds a task (Octobot's worker metrics).
export interface QueueStats { processed: number; failed: number; running: number; tasksPerSecond: number; msPerTask: number }

const WINDOW_MS = 60_000;

export class WorkerStats {
  private readonly byQueue = new Map<string, { processed: number; failed: number; totalMs: number; recent: number[] }>();

  done(queue: string, ms: number, ok: boolean): void {
    const s = this.byQueue.get(queue) ?? { processed: 0, failed: 0, totalMs: 0, recent: [] };
    if (ok) s.processed++; else s.failed++;
    s.totalMs += ms;
    const now = Date.now();
    s.recent.push(now);
    while (s.recent.length && s.recent[0]! < now - WINDOW_MS) s.recent.shift();
    this.byQueue.set(queue, s);
  }

  snapshot(queues: string[], running: ReadonlyMap<string, number>): Record<string, QueueStats> {
    const now = Date.now();
    return Object.fromEntries(queues.map((q) => {
      const s = this.byQueue.get(q);
      const n = (s?.processed ?? 0) + (s?.failed ?? 0);
      const recent = s?.recent.filter((t) => t >= now - WINDOW_MS) ?? [];
      const spanMs = recent.length ? Math.max(1000, now - recent[0]!) : 1000;
      return [q, { processed: s?.processed ?? 0, failed: s?.failed ?? 0, running: running.get(q) ?? 0,
        tasksPerSecond: (recent.length * 1000) / spanMs, msPerTask: n ? s!.totalMs / n : 0 }];
    }));
  }
}
