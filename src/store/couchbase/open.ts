// Opening the cluster: options, durability levels, and start-up failures said in one line each.
import {
  AuthenticationFailureError, BucketNotFoundError, CollectionNotFoundError, connect, DocumentNotFoundError, ScopeNotFoundError,
  type Cluster,
} from 'couchbase';
import { couchbaseStore } from './index.js';
import type { Store } from '../store.js';
import type { Clock } from '../../clock.js';
import { DURABILITY_LEVELS, TRANSACTION_TIMEOUT_MS, type CouchbaseOptions } from './connection.js';

export class CouchbaseOpenError extends Error {}

/** Connects, checks credentials, bucket and scope, and answers within bootstrapTimeoutMs or says why not. */
export async function openCouchbaseStore(opts: CouchbaseOptions, clock: Clock): Promise<Store> {
  const timeout = opts.bootstrapTimeoutMs ?? 5000;
  const where = `Couchbase at ${opts.connStr}`;
  let cluster: Cluster;
  try {
    cluster = await connect(opts.connStr, {
      username: opts.username, password: opts.password,
      timeouts: { bootstrapTimeout: timeout, connectTimeout: timeout, kvTimeout: 2500, kvDurableTimeout: 10_000 },
      // The SDK's own slow-operation log and operation meter (on by default) are written nowhere here
      // and cost a span and a metric on every operation: about 3% of a node's JavaScript time.
      tracingConfig: { enableTracing: false }, metricsConfig: { enableMetrics: false },
      // A node that died mid-transaction leaves its documents staged; every node looks for such lost
      // transactions often, so they are rolled back (or finished) within seconds, not a minute.
      transactions: { durabilityLevel: DURABILITY_LEVELS[opts.durability], timeout: TRANSACTION_TIMEOUT_MS, cleanupConfig: { cleanupWindow: 5_000 } },
    });
  } catch (e) {
    throw new CouchbaseOpenError(describeOpenError(e, opts, where, 'cluster'));
  }
  try {
    const scope = cluster.bucket(opts.bucket).scope(opts.scope);
    const coll = opts.scope === '_default' ? scope.collection('_default') : scope.collection('switchyard');
    const store = couchbaseStore(cluster, coll, opts, clock);
    await coll.get(`${opts.keyPrefix}:meta`, { timeout }).catch((e) => { if (!(e instanceof DocumentNotFoundError)) throw e; });
    return store;
  } catch (e) {
    await cluster.close().catch(() => undefined);
    throw new CouchbaseOpenError(describeOpenError(e, opts, where, 'bucket'));
  }
}

function describeOpenError(e: unknown, opts: CouchbaseOptions, where: string, step: 'cluster' | 'bucket'): string {
  const cause = (e as Error).message;
  const timedOut = /timeout/i.test(cause) || /Timeout/.test((e as Error).constructor?.name ?? '');
  if (e instanceof AuthenticationFailureError) return `${where} refused user ${JSON.stringify(opts.username)}: wrong username or password (${cause})`;
  if (e instanceof BucketNotFoundError) return `${where} has no bucket ${JSON.stringify(opts.bucket)} (${cause})`;
  if (e instanceof ScopeNotFoundError) return `${where}: bucket ${JSON.stringify(opts.bucket)} has no scope ${JSON.stringify(opts.scope)} (${cause})`;
  if (e instanceof CollectionNotFoundError) return `${where}: scope ${JSON.stringify(opts.scope)} has no collection "switchyard" (${cause})`;
  // The cluster answered and took the credentials, but the bucket never opened: it is missing (or
  // this user may not open it). The SDK reports both as a timeout.
  if (step === 'bucket' && timedOut) return `${where} has no bucket ${JSON.stringify(opts.bucket)} that user ${JSON.stringify(opts.username)} can open (${cause})`;
  if (timedOut) return `cannot reach ${where}: no answer within ${(opts.bootstrapTimeoutMs ?? 5000) / 1000} s (${cause})`;
  return `cannot reach ${where}: ${cause}`;
}
