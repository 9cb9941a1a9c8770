// The audit trail: one document per day of entries, and an index of the days with their counts, so
// a page of the newest reads only the days it shows and pruning drops whole days.
import type { AuditEntry } from '../store.js';
import { CouchbaseArea } from './documents.js';

const DAY_MS = 86_400_000;
interface AuditIndex { days: Record<string, number> }
interface AuditDay { entries: AuditEntry[] }

export class CouchbaseAudit extends CouchbaseArea {
  /** Every node appends to the same index: alone, so that a race lost here fails no one's publish. */
  appendAudit(entry: AuditEntry): Promise<void> {
    const day = Math.floor(entry.atMs / DAY_MS) * DAY_MS;
    return this.c.transactAlone(async (u) => {
      const index = (await u.getForUpdate<AuditIndex>(this.keys.auditIndex())) ?? { days: {} };
      const doc = await u.getOrCreate<AuditDay>(this.keys.auditDay(day), () => ({ entries: [] }));
      doc.entries.push(entry);
      index.days[String(day)] = doc.entries.length;
      u.put(this.keys.auditDay(day), doc);
      u.put(this.keys.auditIndex(), index);
    });
  }

  listAudit(limit: number, offset: number): Promise<{ total: number; entries: AuditEntry[] }> {
    return this.guard(async () => {
      const index = (await this.getDoc<AuditIndex>(this.keys.auditIndex())) ?? { days: {} };
      const days = Object.entries(index.days).map(([d, n]) => [Number(d), n] as const).sort((a, b) => b[0] - a[0]);
      const total = days.reduce((n, [, c]) => n + c, 0);
      const entries: AuditEntry[] = [];
      let skip = offset;
      for (const [day, n] of days) {
        if (entries.length >= limit) break;
        if (skip >= n) { skip -= n; continue; }
        const newestFirst = [...((await this.getDoc<AuditDay>(this.keys.auditDay(day)))?.entries ?? [])].reverse();
        entries.push(...newestFirst.slice(skip, skip + limit - entries.length));
        skip = 0;
      }
      return { total, entries };
    });
  }

  /** Every node's sweep asks each second: the index is owned only when a day is due to go (owned
   *  each time, it failed other nodes' batches, and this node's requests beside it, a few times a
   *  minute under load). */
  pruneAudit(beforeMs: number): Promise<number> {
    const due = (day: string) => Number(day) + DAY_MS <= beforeMs;
    return this.transact(async (u) => {
      if (!Object.keys((await u.get<AuditIndex>(this.keys.auditIndex()))?.days ?? {}).some(due)) return 0;
      const index = (await u.getForUpdate<AuditIndex>(this.keys.auditIndex()))!;
      let pruned = 0;
      for (const [d, n] of Object.entries(index.days)) {
        if (!due(d)) continue;
        await u.get<AuditDay>(this.keys.auditDay(Number(d)));
        u.remove(this.keys.auditDay(Number(d)));
        delete index.days[d];
        pruned += n;
      }
      if (pruned) u.put(this.keys.auditIndex(), index);
      return pruned;
    });
  }
}
