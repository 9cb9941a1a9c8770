// The Couchbase settings of this test run, from the environment, or null when none is configured.
import { createHash } from 'node:crypto';
export interface CouchbaseTestSettings {
  connStr: string; username: string; password: string; bucket: string; scope: string; durability: string;
  /** The broker's default SWITCHYARD_KEEP_FINISHED. */
  keepFinishedSeconds: number;
}

export function couchbaseTestSettings(env = process.env): CouchbaseTestSettings | null {
  if (!env.COUCHBASE_CONNSTR) return null;
  return {
    connStr: env.COUCHBASE_CONNSTR,
    username: env.COUCHBASE_USERNAME ?? 'Administrator',
    password: env.COUCHBASE_PASSWORD ?? 'password',
    bucket: env.COUCHBASE_BUCKET ?? 'default',
    scope: env.COUCHBASE_SCOPE ?? '_default',
    durability: env.COUCHBASE_DURABILITY ?? 'majority',
    keepFinishedSeconds: 3600,
  };
}

/** The same, as settings for a broker: a fresh key prefix gives each test server its own namespace. */
export function couchbaseEnv(keyPrefix: string): Record<string, string> {
  const s = couchbaseTestSettings();
  if (!s) return {};
  return {
    COUCHBASE_CONNSTR: s.connStr, COUCHBASE_USERNAME: s.username, COUCHBASE_PASSWORD: s.password,
    COUCHBASE_BUCKET: s.bucket, COUCHBASE_SCOPE: s.scope, COUCHBASE_DURABILITY: s.durability, COUCHBASE_KEY_PREFIX: keyPrefix,
    // COUCHBASE_QUEUE_SHARDS=4 npm test runs the brokers of the HTTP suites with shards.
    ...(process.env.COUCHBASE_QUEUE_SHARDS ? { COUCHBASE_QUEUE_SHARDS: process.env.COUCHBASE_QUEUE_SHARDS } : {}),
  };
}

/** The settings that point a test broker at its store: nothing extra for SQLite (the file is the
 *  store); for Couchbase a key prefix derived from the file name, so brokers given the same file
 *  share one namespace (restart and multi-process tests) and every other test gets its own. */
export function storeEnvFor(dbFile: string): Record<string, string> {
  return couchbaseEnv(`t-${createHash('sha256').update(dbFile).digest('hex').slice(0, 20)}`);
}
