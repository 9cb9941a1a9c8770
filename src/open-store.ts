// Opens the store the settings choose: Couchbase when COUCHBASE_CONNSTR is set, else the SQLite file.
import type { Config } from './config.js';
import { systemClock } from './clock.js';
import type { Store } from './store/store.js';
import { openSqliteStore } from './store/sqlite/index.js';
import { CouchbaseOpenError, openCouchbaseStore } from './store/couchbase/open.js';

export class StoreOpenError extends Error {}

export async function openStore(config: Config): Promise<Store> {
  if (config.couchbase) {
    try {
      return await openCouchbaseStore({ ...config.couchbase, keepFinishedSeconds: config.keepFinishedSeconds }, systemClock);
    } catch (e) {
      if (e instanceof CouchbaseOpenError) throw new StoreOpenError(e.message);
      throw e;
    }
  }
  try {
    return openSqliteStore(config.dbFile, { sync: config.sync, clock: systemClock });
  } catch (e) {
    throw new StoreOpenError(`cannot open the SQLite store ${config.dbFile}: ${(e as Error).message}`);
  }
}
