// The two servers bench/beanstalk.mjs and bench/durable-floor.mjs put side by side: beanstalkd with a
// binlog fsynced on every write (the kit's beanstalkd-binlog0, durable as Switchyard's default
// SWITCHYARD_SYNC=full is) and Switchyard's beanstalkd listener over its embedded store, each started
// on a given port by the peer kit's startServer. Both keep their data on the kit's scratch disk, so
// an fsync costs the same for both.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

/** { name: (port) => a started server }, from the kit's servers.mjs; builds dist/ if it is missing. */
export function beanstalkServers({ startServer, scratchDir }) {
  if (!existsSync(path.join(root, 'dist', 'src', 'main.js'))) execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  return {
    'beanstalkd-binlog0': (port) => startServer('beanstalkd', ['-l', '127.0.0.1', '-p', String(port), '-b', scratchDir('beanstalkd-binlog'), '-f', '0'], { port, name: 'beanstalkd' }),
    'switchyard-beanstalk': async (port) => startServer(process.execPath, [path.join(root, 'dist', 'src', 'main.js')], {
      port, name: 'switchyard',
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('COUCHBASE_'))),
        PORT: String(await freePort()), SWITCHYARD_DB: path.join(scratchDir('switchyard-beanstalk'), 'db.sqlite'),
        SWITCHYARD_BEANSTALK_PORT: String(port), LOG_LEVEL: 'warn',
      },
    }),
  };
}
