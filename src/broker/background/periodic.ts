// A background pass run over and over (sweeps, schedules, push discovery): one pass at a time, the
// next one a delay after the last ended, errors handed to the owner, and stop() waiting for a pass
// under way to end.
export class Periodic {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  /** delayMs: how long to wait before the next pass (asked each time, so it may align to a clock). */
  constructor(private readonly pass: () => Promise<unknown>, private readonly delayMs: () => number, private readonly onError: (e: Error) => void) {}

  /** First pass after one delay, or at once. */
  start(opts: { now?: boolean } = {}): void {
    if (opts.now) this.run();
    else this.next();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private run(): void {
    this.running = this.pass().then(() => undefined, (e: Error) => this.onError(e)).finally(() => { this.running = null; this.next(); });
  }

  private next(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.run(), this.delayMs());
  }
}
