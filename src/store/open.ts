// Chooses the store from the settings: Couchbase when COUCHBASE_CONNSTR is set, else the SQLite file.
import type { Config } from '../config.js';
import type { Store } from './store.js';
import { openSqliteStore } from './sqlite.js';

export class StoreOpenError extends Error {}

export async function openStore(config: Config): Promise<Store> {
  if (config.couchbase) {
    throw new StoreOpenError(`COUCHBASE_CONNSTR=${config.couchbase.connStr} is set, but this build has no Couchbase store yet (see issue 4); unset it to use the SQLite store`);
  }
  try {
    return openSqliteStore(config.dbFile, { sync: config.sync });
  } catch (e) {
    throw new StoreOpenError(`cannot open the SQLite store ${config.dbFile}: ${(e as Error).message}`);
  }
}
