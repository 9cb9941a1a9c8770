// The audit trail: one row per admin change, newest first by arrival.
import type { AuditEntry } from '../store.js';
import { SqliteArea, type Prepare, type SqliteConnection } from './connection.js';

const statements = (p: Prepare) => ({
  append: p(`INSERT INTO audit (at_ms, entry) VALUES (?, ?)`),
  count: p(`SELECT count(*) FROM audit`).pluck(),
  page: p(`SELECT entry FROM audit ORDER BY seq DESC LIMIT ? OFFSET ?`).pluck(),
  prune: p(`DELETE FROM audit WHERE at_ms < ?`),
});

export class SqliteAudit extends SqliteArea<ReturnType<typeof statements>> {
  constructor(c: SqliteConnection) {
    super(c, statements);
  }

  appendAudit(entry: AuditEntry): Promise<void> {
    return this.write(() => { this.st.append.run(entry.atMs, JSON.stringify(entry)); });
  }

  listAudit(limit: number, offset: number): Promise<{ total: number; entries: AuditEntry[] }> {
    return this.run(() => this.db.transaction(() => ({
      total: this.st.count.get() as number,
      entries: (this.st.page.all(limit, offset) as string[]).map((e) => JSON.parse(e) as AuditEntry),
    }))());
  }

  pruneAudit(beforeMs: number): Promise<number> {
    return this.write(() => this.st.prune.run(beforeMs).changes);
  }
}
