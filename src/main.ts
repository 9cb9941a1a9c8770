// Start: config → store → sweeps → http; SIGTERM/SIGINT → graceful stop (a second signal exits at once).
import { ConfigError, helpText, loadConfig } from './config.js';
import { createLogger } from './log.js';
import { startServer } from './server.js';

// A promise nobody awaited must not end the process (Node's default): logged, and the broker runs on.
let log: ReturnType<typeof createLogger> = createLogger('info');
process.on('unhandledRejection', (e) => log.error('unhandled rejection', { error: (e as Error)?.stack ?? String(e) }));

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) { process.stdout.write(helpText()); return; }
  let config;
  try {
    config = loadConfig(process.env, argv);
  } catch (e) {
    if (e instanceof ConfigError) { process.stderr.write(`switchyard: ${e.message}\n`); process.exit(2); }
    throw e;
  }
  log = createLogger(config.logLevel);
  let server;
  try {
    server = await startServer(config, { log });
  } catch (e) {
    process.stderr.write(`switchyard: ${(e as Error).message}\n`);
    process.exit(1);
  }
  log.info('switchyard listening', {
    url: server.url, store: server.store.kind, db: server.store.kind === 'sqlite' ? config.dbFile : undefined,
    beanstalk: server.beanstalkPort === null ? undefined : `${config.beanstalk!.host}:${server.beanstalkPort}`,
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) { process.exit(1); }
    stopping = true;
    log.info('stopping', { signal });
    server.close().then(() => { log.info('stopped'); process.exit(0); }, (e: Error) => { log.error('stop failed', { error: e.message }); process.exit(1); });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
