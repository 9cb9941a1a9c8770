// API tokens: one row each, found by the hash of the secret (never the secret itself).
import type { Role, TokenRecord } from '../store.js';
import { SqliteArea, type Prepare, type SqliteConnection } from './connection.js';

interface TokenRow { name: string; hash: string; role: string; queues: string | null; created_at_ms: number; last_used_at_ms: number | null }

const toToken = (r: TokenRow): TokenRecord => ({
  name: r.name, hash: r.hash, role: r.role as Role, queues: r.queues === null ? null : JSON.parse(r.queues),
  createdAtMs: r.created_at_ms, lastUsedAtMs: r.last_used_at_ms,
});

const statements = (p: Prepare) => ({
  insert: p(`INSERT INTO tokens (name, hash, role, queues, created_at_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
  list: p(`SELECT * FROM tokens ORDER BY name`),
  byHash: p(`SELECT * FROM tokens WHERE hash = ?`),
  any: p(`SELECT 1 FROM tokens LIMIT 1`).pluck(),
  remove: p(`DELETE FROM tokens WHERE name = ?`),
  touch: p(`UPDATE tokens SET last_used_at_ms = MAX(COALESCE(last_used_at_ms, 0), ?) WHERE name = ?`),
});

export class SqliteTokens extends SqliteArea<ReturnType<typeof statements>> {
  constructor(c: SqliteConnection) {
    super(c, statements);
  }

  createToken(t: TokenRecord): Promise<boolean> {
    return this.write(() => this.st.insert.run(t.name, t.hash, t.role, t.queues === null ? null : JSON.stringify(t.queues), t.createdAtMs).changes === 1);
  }

  listTokens(): Promise<TokenRecord[]> {
    return this.run(() => (this.st.list.all() as TokenRow[]).map(toToken));
  }

  tokenByHash(hash: string): Promise<TokenRecord | null> {
    return this.run(() => {
      const r = this.st.byHash.get(hash) as TokenRow | undefined;
      return r ? toToken(r) : null;
    });
  }

  hasTokens(): Promise<boolean> {
    return this.run(() => this.st.any.get() !== undefined);
  }

  deleteToken(name: string): Promise<boolean> {
    return this.write(() => this.st.remove.run(name).changes === 1);
  }

  touchToken(name: string, atMs: number): Promise<void> {
    return this.write(() => { this.st.touch.run(atMs, name); });
  }
}
