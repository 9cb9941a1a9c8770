// Loaded into a soak broker (node --import) where no small file system can be mounted: while the
// file SOAK_DISK_FULL_FLAG exists, every SQLite statement that writes, and every COMMIT, fails as a
// full disk does (SQLITE_FULL). Test harness only; the broker itself knows nothing of it.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

const flag = process.env.SOAK_DISK_FULL_FLAG;
const require = createRequire(import.meta.url);
// The broker's own copy of better-sqlite3, resolved from where the broker runs.
const Database = require(require.resolve('better-sqlite3', { paths: [process.cwd()] }));

const full = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
const prepare = Database.prototype.prepare;
Database.prototype.prepare = function (sql) {
  const stmt = prepare.call(this, sql);
  if (!stmt.reader) {
    const run = stmt.run;
    stmt.run = function (...args) { if (flag && existsSync(flag)) throw full(); return run.apply(this, args); };
  }
  return stmt;
};
const exec = Database.prototype.exec;
Database.prototype.exec = function (sql) {
  if (flag && existsSync(flag) && /\b(COMMIT|INSERT|UPDATE|DELETE)\b/i.test(sql)) throw full();
  return exec.call(this, sql);
};
