// Compiled interest maps, cached per global revision, reloaded only when some queue's interests
// changed (on any node). Publishes route with the cached maps and the store checks the revision.
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import { compileInterestMap, type CompiledInterests, type CompiledQueue } from '../routing/compile.js';

export class InterestsCache {
  private compiled: CompiledInterests = { revision: -1, queues: [] };
  private loading: Promise<CompiledInterests> | null = null;
  /** Each queue's last compiled map by its JSON: a change of one queue's interests recompiles that
   *  queue only (10,000 queues' patterns took a second to compile). */
  private byQueue = new Map<string, { json: string; compiled: CompiledQueue }>();

  constructor(private readonly store: Store, private readonly log: Logger) {}

  async current(): Promise<CompiledInterests> {
    const revision = await this.store.interestsRevision();
    if (revision === this.compiled.revision) return this.compiled;
    return this.reload();
  }

  /** The maps as last loaded, without asking the store (loads them the first time): for callers
   *  that check the revision themselves, as publishes do inside their write. */
  cached(): Promise<CompiledInterests> {
    return this.compiled.revision === -1 ? this.current() : Promise.resolve(this.compiled);
  }

  /** Loads the maps again now (concurrent callers share one load). */
  reload(): Promise<CompiledInterests> {
    this.loading ??= this.load().finally(() => { this.loading = null; });
    return this.loading;
  }

  private async load(): Promise<CompiledInterests> {
    const loaded = await this.store.loadInterests();
    const queues: CompiledQueue[] = [];
    const byQueue = new Map<string, { json: string; compiled: CompiledQueue }>();
    for (const { queue, interests } of loaded.queues) {
      try {
        const json = JSON.stringify(interests);
        const before = this.byQueue.get(queue);
        const compiled = before?.json === json ? before.compiled : compileInterestMap(queue, interests);
        byQueue.set(queue, { json, compiled });
        queues.push(compiled);
      } catch (e) {
        // Stored maps were checked when set; one that no longer compiles must not stop routing for all.
        this.log.error('stored interests do not compile; queue skipped', { queue, error: (e as Error).message });
      }
    }
    this.byQueue = byQueue;
    this.compiled = { revision: loaded.revision, queues };
    this.log.debug('interests reloaded', { revision: loaded.revision, queues: queues.length });
    return this.compiled;
  }
}
