// Assembles one broker node: store → broker → sweeps → HTTP. main.ts and the tests both start it here.
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import { StatsdSink } from './statsd.js';
import { createLogger, type Logger } from './log.js';
import { openStore } from './open-store.js';
import { Broker } from './broker/index.js';
import { Sweeps } from './broker/background/sweeps.js';
import { Scheduler } from './broker/background/scheduler.js';
import { Pusher } from './broker/background/pusher.js';
import { RecordsFlusher } from './broker/background/flush-records.js';
import { createHandler } from '../routes/index.js';
import type { Store } from './store/store.js';
import { Gate } from './security/gate.js';
import { isLoopbackListen } from './security/network.js';
import { hashToken } from './security/tokens.js';
import { BeanstalkNode } from './beanstalk/node.js';
import { PACKAGE_VERSION } from './version.js';

export interface RunningServer {
  url: string;
  port: number;
  broker: Broker;
  store: Store;
  sweeps: Sweeps;
  scheduler: Scheduler;
  pusher: Pusher;
  log: Logger;
  /** The beanstalkd listener's port, when SWITCHYARD_BEANSTALK_PORT is set. */
  beanstalkPort: number | null;
  /** Graceful stop: stop accepting, answer long polls, finish requests in flight, close the store. */
  close(): Promise<void>;
}

/** How long a stop waits for open connections to end by themselves. */
const CONNECTIONS_GRACE_MS = 2000;

/** How long a stop waits for writes begun after their answers. */
const SETTLE_MS = 5000;

/** How often each node looks for push queues: a look reads one document per queue on Couchbase. */
const PUSH_DISCOVERY_MS = { sqlite: 1000, couchbase: 5000 } as const;

/** sweepIntervalMs, schedulerIntervalMs: how often the background passes run (tests slow them down and
 *  call runOnce themselves); 0 for the scheduler means it does not run by itself. */
export async function startServer(config: Config, opts: { log?: Logger; sweepIntervalMs?: number; schedulerIntervalMs?: number; crossNodePollMs?: number; now?: () => number } = {}): Promise<RunningServer> {
  const log = opts.log ?? createLogger(config.logLevel);
  const store = await openStore(config);
  const broker = new Broker(store, {
    leaseSeconds: config.leaseSeconds, workerTimeoutSeconds: config.workerTimeoutSeconds, keepFinishedSeconds: config.keepFinishedSeconds,
    idempotencyTtlSeconds: config.idempotencyTtlSeconds, pushSecret: config.pushSecret, pushAllow: config.security.pushAllow, ...config.capacity, auditKeepSeconds: config.auditKeepSeconds, fanOut: config.fanOut,
    pushDiscoveryIntervalMs: config.couchbase ? PUSH_DISCOVERY_MS.couchbase : PUSH_DISCOVERY_MS.sqlite, tapRedact: config.tapRedact, ...config.routingRecords,
    ...(opts.crossNodePollMs !== undefined ? { crossNodePollMs: opts.crossNodePollMs } : {}),
  }, log, opts.now);
  const statsd = config.statsd ? new StatsdSink(config.statsd, log) : null;
  broker.metrics.statsd = statsd;
  const sweeps = new Sweeps(broker.ctx, opts.sweepIntervalMs);
  const scheduler = new Scheduler(broker.ctx, opts.schedulerIntervalMs || undefined);
  const pusher = new Pusher(broker.ctx);
  broker.ctx.pushing = pusher;
  const flusher = new RecordsFlusher(broker.ctx);
  const sec = config.security;
  const loopback = isLoopbackListen(config.host);
  const gate = new Gate(store, {
    adminTokenHash: sec.adminToken === null ? null : hashToken(sec.adminToken), authOff: sec.authOff, loopback,
    allowedOrigins: sec.allowedOrigins, allowedHosts: sec.allowedHosts, rateLimitPerSecond: sec.rateLimitPerSecond,
  }, log, opts.now);
  await refuseOpenOnNetwork(config, loopback, store);
  await refuseOpenBeanstalk(config, store);
  if (sec.authOff && !loopback) log.warn('SWITCHYARD_AUTH=off: anyone who can reach this address may do anything', { host: config.host });
  const handler = createHandler(broker, { bodyLimitBytes: config.bodyLimitBytes, log, gate, secure: sec.tls !== null });
  const server = sec.tls === null ? http.createServer(handler) : https.createServer(tlsOptions(sec.tls), handler);
  // Long polls last up to 30 s; keep-alive clients (workers) reuse connections.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => { server.off('error', reject); resolve(); });
  });
  const beanstalk = config.beanstalk ? new BeanstalkNode(broker, { ...config.beanstalk, version: PACKAGE_VERSION }, log) : null;
  const beanstalkPort = beanstalk ? await beanstalk.start().catch(async (e: Error) => { server.close(); await store.close(); throw e; }) : null;
  sweeps.start();
  if (opts.schedulerIntervalMs !== 0) scheduler.start();
  pusher.start();
  flusher.start();
  statsd?.start(store);
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | null = null;
  return {
    url: `${sec.tls === null ? 'http' : 'https'}://${host}:${port}`, port, broker, store, sweeps, scheduler, pusher, log, beanstalkPort,
    close() {
      closing ??= (async () => {
        await beanstalk?.stop();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        broker.stopWaiting();
        await Promise.all([sweeps.stop(), scheduler.stop(), pusher.stop()]);
        server.closeIdleConnections();
        // A connection Node does not count as idle (seen after a client aborted a long poll) would hold
        // the stop for a minute, until its headers timeout: every connection is cut after a grace.
        const cut = setTimeout(() => server.closeAllConnections(), CONNECTIONS_GRACE_MS);
        await closed;
        clearTimeout(cut);
        // Writes begun after their answers (audit entries, token last use) end before the store closes.
        await Promise.all([broker.afterAnswers.settle(SETTLE_MS), gate.touching.settle(SETTLE_MS), flusher.stop()]);
        await statsd?.stop();
        await store.close();
      })();
      return closing;
    },
  };
}

/** The beanstalkd protocol has no tokens: off loopback, anyone who reaches it could put, reserve and
 *  delete in every tube, so it listens there only when told to on purpose. */
async function refuseOpenBeanstalk(config: Config, store: Store): Promise<void> {
  const b = config.beanstalk;
  if (!b || b.open || isLoopbackListen(b.host)) return;
  await store.close();
  throw new Error(`SWITCHYARD_BEANSTALK_HOST=${b.host} is not a loopback address, and the beanstalkd protocol has no tokens: anyone who reaches it could put, reserve and delete jobs in every tube. Set SWITCHYARD_BEANSTALK_OPEN=on to listen there on purpose (behind a firewall)`);
}

/** Off loopback with no token anywhere, anyone who reaches the port could do anything: refuse. */
async function refuseOpenOnNetwork(config: Config, loopback: boolean, store: Store): Promise<void> {
  if (loopback || config.security.authOff || config.security.adminToken !== null || (await store.hasTokens())) return;
  await store.close();
  throw new Error(`HOST=${config.host} is not a loopback address and no token is configured: set SWITCHYARD_ADMIN_TOKEN=<16+ random characters> (then create tokens with PUT /token), or SWITCHYARD_AUTH=off to run open on purpose`);
}

function tlsOptions(tls: { certFile: string; keyFile: string }): https.ServerOptions {
  try {
    return { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) };
  } catch (e) {
    throw new Error(`cannot read the TLS files (SWITCHYARD_TLS_CERT, SWITCHYARD_TLS_KEY): ${(e as Error).message}`);
  }
}
