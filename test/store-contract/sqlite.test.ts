// The Store contract against the SQLite driver, each test on a fresh file in a temp dir.
import { systemClock } from '../../src/clock.js';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { tempDir } from '../helpers/server.js';
import { storeContract } from './contract.js';

let file = '';
storeContract('sqlite', async () => openSqliteStore((file = path.join(tempDir(), 'contract.db')), { sync: 'full', clock: systemClock }),
  // Read through a second connection to the file: what is on disk, not what the store answers.
  async (_store, eventId) => {
    const db = new Database(file, { readonly: true });
    try {
      const count = (sql: string) => db.prepare(sql).pluck().get(eventId) as number;
      const copies = count(`SELECT count(*) FROM tasks WHERE event_id = ?`);
      const own = count(`SELECT count(*) FROM tasks WHERE event_id = ? AND data <> ''`);
      const shared = count(`SELECT count(*) FROM payloads WHERE event_id = ?`);
      return { payloads: own + shared, copies, records: copies + shared };
    } finally { db.close(); }
  });
