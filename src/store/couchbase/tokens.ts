// API tokens: one document holds them all (a handful per installation), keyed by the hash of each
// secret, so a request's lookup is one read and a revocation on one node holds on every other at once.
import type { TokenRecord } from '../store.js';
import { CouchbaseArea } from './documents.js';

interface TokensDoc { byHash: Record<string, TokenRecord> }

export class CouchbaseTokens extends CouchbaseArea {
  private async all(): Promise<Map<string, TokenRecord>> {
    return this.guard(async () => new Map(Object.entries((await this.getDoc<TokensDoc>(this.keys.tokens()))?.byHash ?? {})));
  }

  /** change answers whether it changed anything; only then is the document written. */
  private edit(change: (byHash: Map<string, TokenRecord>) => boolean): Promise<boolean> {
    return this.transact(async (u) => {
      const byHash = new Map(Object.entries((await u.getForUpdate<TokensDoc>(this.keys.tokens()))?.byHash ?? {}));
      const changed = change(byHash);
      if (changed) u.put(this.keys.tokens(), { byHash: Object.fromEntries(byHash) } satisfies TokensDoc);
      return changed;
    });
  }

  createToken(t: TokenRecord): Promise<boolean> {
    return this.edit((byHash) => {
      if ([...byHash.values()].some((x) => x.name === t.name) || byHash.has(t.hash)) return false;
      byHash.set(t.hash, t);
      return true;
    });
  }

  async listTokens(): Promise<TokenRecord[]> {
    return [...(await this.all()).values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async tokenByHash(hash: string): Promise<TokenRecord | null> {
    return (await this.all()).get(hash) ?? null;
  }

  async hasTokens(): Promise<boolean> {
    return (await this.all()).size > 0;
  }

  deleteToken(name: string): Promise<boolean> {
    return this.edit((byHash) => {
      const hit = [...byHash.values()].find((x) => x.name === name);
      return hit ? byHash.delete(hit.hash) : false;
    });
  }

  async touchToken(name: string, atMs: number): Promise<void> {
    await this.edit((byHash) => {
      const t = [...byHash.values()].find((x) => x.name === name);
      if (!t || (t.lastUsedAtMs ?? 0) >= atMs) return false;
      t.lastUsedAtMs = atMs;
      return true;
    });
  }
}
