// Per queue, what a worker did: processed, failed, running and waiting now, tasks a second over the
// last minute and milliseconds a task (Octobot's worker metrics). Counted in one-second buckets, so
// recording a task and reading the figures cost the same at 10 tasks a second as at 10,000.
export interface QueueStats { processed: number; failed: number; running: number; waiting: number; tasksPerSecond: number; msPerTask: number }

const WINDOW_SECONDS = 60;

interface Counts { processed: number; failed: number; totalMs: number; firstSecond: number; buckets: Map<number, number> }

export class WorkerStats {
  private readonly byQueue = new Map<string, Counts>();

  done(queue: string, ms: number, ok: boolean): void {
    const second = Math.floor(Date.now() / 1000);
    let s = this.byQueue.get(queue);
    if (!s) this.byQueue.set(queue, s = { processed: 0, failed: 0, totalMs: 0, firstSecond: second, buckets: new Map() });
    if (ok) s.processed++; else s.failed++;
    s.totalMs += ms;
    s.buckets.set(second, (s.buckets.get(second) ?? 0) + 1);
    if (s.buckets.size > WINDOW_SECONDS + 1) for (const k of s.buckets.keys()) if (k <= second - WINDOW_SECONDS) s.buckets.delete(k);
  }

  snapshot(queues: string[], running: ReadonlyMap<string, number>, waiting: ReadonlyMap<string, number>): Record<string, QueueStats> {
    const now = Math.floor(Date.now() / 1000);
    return Object.fromEntries(queues.map((q) => {
      const s = this.byQueue.get(q);
      const n = (s?.processed ?? 0) + (s?.failed ?? 0);
      let recent = 0;
      for (const [second, count] of s?.buckets ?? []) if (second > now - WINDOW_SECONDS) recent += count;
      // Over the seconds since the first task, up to a minute: a worker 5 s old is not diluted by 55 idle ones.
      const span = s ? Math.min(WINDOW_SECONDS, now - s.firstSecond + 1) : 1;
      return [q, { processed: s?.processed ?? 0, failed: s?.failed ?? 0, running: running.get(q) ?? 0, waiting: waiting.get(q) ?? 0,
        tasksPerSecond: recent / span, msPerTask: n ? s!.totalMs / n : 0 }];
    }));
  }
}
