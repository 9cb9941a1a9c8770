// The Store contract against the SQLite driver, each test on a fresh file in a temp dir.
import { systemClock } from '../../src/clock.js';
import path from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { tempDir } from '../helpers/server.js';
import { storeContract } from './contract.js';

storeContract('sqlite', async () => openSqliteStore(path.join(tempDir(), 'contract.db'), { sync: 'full', clock: systemClock }));
