// The only reader of process.env and argv: every setting parsed and checked once, then frozen.
// A bad value stops startup with one line naming the setting and the value; nothing falls back silently.
import { parseArgs } from 'node:util';
import { DEFAULTS as RECORD_DEFAULTS, type RecordSettings } from './broker/routing-records.js';
import { DEFAULT_CAPACITY } from './broker/capacity.js';
import { DEFAULT_FAN_OUT } from './broker/publish.js';
import { DEFAULT_AUDIT_KEEP_SECONDS } from './broker/audit.js';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dbFile: string;
  readonly couchbase: null | {
    readonly connStr: string;
    readonly username: string;
    readonly password: string;
    readonly bucket: string;
    readonly scope: string;
    readonly durability: string;
    readonly keyPrefix: string;
    readonly queueShards: number;
  };
  readonly workerTimeoutSeconds: number;
  readonly leaseSeconds: number;
  readonly logLevel: string;
  readonly sync: 'full' | 'normal';
  readonly keepFinishedSeconds: number;
  readonly idempotencyTtlSeconds: number;
  readonly pushSecret: string | null;
  readonly bodyLimitBytes: number;
  /** null: no StatsD (STATSD_HOST unset). tags null: plain StatsD, the queue in the metric's name. */
  /** The beanstalkd protocol listener (src/beanstalk/), or null when off. */
  readonly beanstalk: null | { readonly host: string; readonly port: number; readonly maxJobBytes: number; readonly open: boolean };
  /** Data fields the live tap never shows. */
  readonly tapRedact: readonly string[];
  /** What routing keeps (src/broker/routing-records.ts). */
  readonly routingRecords: Readonly<RecordSettings>;
  readonly statsd: null | { readonly host: string; readonly port: number; readonly prefix: string; readonly tags: readonly string[] | null; readonly intervalSeconds: number };
  readonly security: {
    /** Never logged or answered; only its hash is kept past start-up. */
    readonly adminToken: string | null;
    readonly authOff: boolean;
    readonly allowedOrigins: readonly string[];
    readonly allowedHosts: readonly string[];
    readonly pushAllow: readonly string[];
    readonly tls: null | { readonly certFile: string; readonly keyFile: string };
    /** null: no limit (SWITCHYARD_RATE_LIMIT=0). */
    readonly rateLimitPerSecond: number | null;
  };
  readonly auditKeepSeconds: number;
  readonly fanOut: { readonly maxCopiesPerEvent: number; readonly maxCopiesPerRequest: number };
  readonly capacity: { readonly maxQueues: number; readonly maxWorkers: number; readonly maxSchedules: number };
}

type Kind = 'port' | 'beanstalkPort' | 'string' | 'seconds' | 'level' | 'sync' | 'bytes' | 'secret' | 'onoff' | 'list' | 'count' | 'shards';
interface Setting { env: string; kind: Kind; def: string | undefined; unit: string; help: string }

/** Every setting, its default and unit; `--help` prints this table. */
export const SETTINGS: readonly Setting[] = [
  { env: 'PORT', kind: 'port', def: '8080', unit: 'port', help: 'HTTP port (0 picks a free one)' },
  { env: 'HOST', kind: 'string', def: '127.0.0.1', unit: 'address', help: 'address to listen on' },
  { env: 'SWITCHYARD_DB', kind: 'string', def: './data/switchyard.db', unit: 'path', help: 'SQLite file of the embedded store' },
  { env: 'COUCHBASE_CONNSTR', kind: 'string', def: undefined, unit: 'URL', help: 'when set, Couchbase is the store' },
  { env: 'COUCHBASE_USERNAME', kind: 'string', def: undefined, unit: 'text', help: 'Couchbase user' },
  { env: 'COUCHBASE_PASSWORD', kind: 'string', def: undefined, unit: 'text', help: 'Couchbase password' },
  { env: 'COUCHBASE_BUCKET', kind: 'string', def: undefined, unit: 'name', help: 'Couchbase bucket' },
  { env: 'COUCHBASE_SCOPE', kind: 'string', def: '_default', unit: 'name', help: 'Couchbase scope' },
  { env: 'COUCHBASE_KEY_PREFIX', kind: 'string', def: 'switchyard', unit: 'text', help: 'start of every document key (installations sharing a bucket use different ones)' },
  { env: 'COUCHBASE_DURABILITY', kind: 'string', def: 'majority', unit: 'level', help: 'none | majority | majorityAndPersistActive | persistToMajority' },
  { env: 'COUCHBASE_QUEUE_SHARDS', kind: 'shards', def: '1', unit: 'shards', help: 'shards of each queue: each node publishes to and claims from its own, so nodes of a cluster can carry one hot queue together (1: one document a queue)' },
  { env: 'SWITCHYARD_WORKER_TIMEOUT', kind: 'seconds', def: '600', unit: 'seconds', help: 'a worker silent this long is removed and its tasks return' },
  { env: 'SWITCHYARD_LEASE', kind: 'seconds', def: '300', unit: 'seconds', help: 'default lease of a started task' },
  { env: 'SWITCHYARD_SYNC', kind: 'sync', def: 'full', unit: 'mode', help: 'SQLite fsync: full (a 201 survives power loss) | normal (faster, may lose the last commits on power loss)' },
  { env: 'SWITCHYARD_IDEMPOTENCY_TTL', kind: 'seconds', def: '86400', unit: 'seconds', help: 'how long a publish idempotencyKey is remembered' },
  { env: 'SWITCHYARD_PUSH_SECRET', kind: 'string', def: undefined, unit: 'text', help: 'signs push deliveries (HMAC-SHA256) of queues without a pushSecret of their own' },
  { env: 'SWITCHYARD_KEEP_FINISHED', kind: 'seconds', def: '3600', unit: 'seconds', help: 'how long succeeded and cancelled tasks stay visible' },
  { env: 'SWITCHYARD_BODY_LIMIT', kind: 'bytes', def: '1048576', unit: 'bytes', help: 'largest request body' },
  { env: 'SWITCHYARD_ADMIN_TOKEN', kind: 'secret', def: undefined, unit: 'secret', help: 'an admin token from the environment (to create the others; never stored)' },
  { env: 'SWITCHYARD_AUTH', kind: 'onoff', def: 'on', unit: 'on|off', help: 'off: run open (no tokens) even on a non-loopback HOST, on purpose' },
  { env: 'SWITCHYARD_ALLOWED_ORIGINS', kind: 'list', def: undefined, unit: 'origins', help: 'other web origins allowed to send changes (comma-separated, e.g. https://ops.example.com)' },
  { env: 'SWITCHYARD_ALLOWED_HOSTS', kind: 'list', def: undefined, unit: 'names', help: 'Host names open mode answers besides loopback ones (comma-separated)' },
  { env: 'SWITCHYARD_PUSH_ALLOW', kind: 'list', def: undefined, unit: 'hosts, CIDRs', help: 'internal push targets allowed anyway (comma-separated, e.g. 127.0.0.1,10.0.0.0/8)' },
  { env: 'SWITCHYARD_TLS_CERT', kind: 'string', def: undefined, unit: 'path', help: 'PEM certificate: serve HTTPS (with SWITCHYARD_TLS_KEY)' },
  { env: 'SWITCHYARD_TLS_KEY', kind: 'string', def: undefined, unit: 'path', help: 'PEM private key of SWITCHYARD_TLS_CERT' },
  { env: 'SWITCHYARD_AUDIT_KEEP', kind: 'seconds', def: String(DEFAULT_AUDIT_KEEP_SECONDS), unit: 'seconds', help: 'how long the audit trail of admin changes is kept (30 days)' },
  { env: 'SWITCHYARD_RATE_LIMIT', kind: 'count', def: '20000', unit: 'requests/s', help: 'requests a second per token (per address in open mode), each node; 0: no limit' },
  { env: 'SWITCHYARD_MAX_QUEUES', kind: 'count', def: String(DEFAULT_CAPACITY.maxQueues), unit: 'queues', help: 'queues this installation may hold' },
  { env: 'SWITCHYARD_MAX_WORKERS', kind: 'count', def: String(DEFAULT_CAPACITY.maxWorkers), unit: 'workers', help: 'workers registered at once' },
  { env: 'SWITCHYARD_MAX_SCHEDULES', kind: 'count', def: String(DEFAULT_CAPACITY.maxSchedules), unit: 'schedules', help: 'schedules this installation may hold' },
  { env: 'SWITCHYARD_MAX_COPIES', kind: 'count', def: String(DEFAULT_FAN_OUT.maxCopiesPerEvent), unit: 'copies', help: 'copies one event may make (one per interested queue)' },
  { env: 'SWITCHYARD_MAX_COPIES_PER_REQUEST', kind: 'count', def: String(DEFAULT_FAN_OUT.maxCopiesPerRequest), unit: 'copies', help: 'copies one request may make' },
  { env: 'SWITCHYARD_BEANSTALK_PORT', kind: 'beanstalkPort', def: undefined, unit: 'port', help: 'when set, also speak the beanstalkd protocol on this TCP port (default: 11300; 0 picks a free one)' },
  { env: 'SWITCHYARD_BEANSTALK_HOST', kind: 'string', def: '127.0.0.1', unit: 'address', help: 'address of the beanstalkd listener (a non-loopback one needs SWITCHYARD_BEANSTALK_OPEN=on)' },
  { env: 'SWITCHYARD_BEANSTALK_OPEN', kind: 'onoff', def: 'off', unit: 'on|off', help: 'on: let the beanstalkd listener, which has no tokens, listen on a non-loopback address on purpose' },
  { env: 'SWITCHYARD_BEANSTALK_MAX_JOB_SIZE', kind: 'bytes', def: '65535', unit: 'bytes', help: 'largest job body a beanstalkd put may carry (beanstalkd\'s -z)' },
  { env: 'SWITCHYARD_TAP_REDACT', kind: 'string', def: undefined, unit: 'paths', help: 'data fields (dot paths, comma-separated) the live tap (GET /tap) shows as [redacted]' },
  { env: 'SWITCHYARD_SAMPLE_EVENTS', kind: 'count', def: String(RECORD_DEFAULTS.sampleEvents), unit: 'events', help: 'recent events kept (shared by all nodes) for POST /interest/what-if; 0: none' },
  { env: 'SWITCHYARD_SAMPLE_PER_SECOND', kind: 'count', def: String(RECORD_DEFAULTS.samplePerSecond), unit: 'events', help: 'events each node adds to that sample a second, at most (chosen evenly among those it routed)' },
  { env: 'SWITCHYARD_UNROUTED_KEEP', kind: 'count', def: String(RECORD_DEFAULTS.unroutedKeepSeconds), unit: 'seconds', help: 'how long events no queue wanted are kept (GET /unrouted); 0: not kept' },
  { env: 'SWITCHYARD_UNROUTED_MAX', kind: 'count', def: String(RECORD_DEFAULTS.unroutedMax), unit: 'events', help: 'unrouted events kept at most (the oldest go first)' },
  { env: 'STATSD_HOST', kind: 'string', def: undefined, unit: 'host', help: 'when set, each node also sends StatsD metrics there (UDP)' },
  { env: 'STATSD_PORT', kind: 'port', def: '8125', unit: 'port', help: 'StatsD port' },
  { env: 'STATSD_PREFIX', kind: 'string', def: 'switchyard.', unit: 'text', help: 'start of every StatsD metric name' },
  { env: 'STATSD_TAGS', kind: 'string', def: undefined, unit: 'tags', help: 'DogStatsD tags on every metric (comma-separated, e.g. env:prod); when set, the queue is a tag, not part of the name' },
  { env: 'STATSD_INTERVAL', kind: 'seconds', def: '10', unit: 'seconds', help: 'how often the StatsD gauges (queue lengths, workers) are sent' },
  { env: 'LOG_LEVEL', kind: 'level', def: 'info', unit: 'level', help: 'error | warn | info | debug' },
];

export class ConfigError extends Error {}

function flagName(env: string): string {
  return env.toLowerCase().replace(/_/g, '-');
}

function parseValue(s: Setting, raw: string): string | number {
  const bad = (why: string) => new ConfigError(`${s.env}=${JSON.stringify(raw)} is not valid: ${why}`);
  const whole = (min: number, max: number, why: string) => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) throw bad(why);
    return n;
  };
  switch (s.kind) {
    case 'port': return whole(0, 65535, 'expected a port number 0-65535');
    case 'beanstalkPort': return raw === 'default' ? 11300 : whole(0, 65535, 'expected default (11300) or a port number 0-65535');
    case 'seconds': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 10 * 365 * 86400) throw bad('expected a positive number of seconds');
      return n;
    }
    case 'bytes': return whole(1024, 256 * 1024 * 1024, 'expected a whole number of bytes from 1024 to 268435456');
    case 'level':
      if (!['error', 'warn', 'info', 'debug', 'silly', 'verbose', 'http'].includes(raw)) throw bad('expected error, warn, info or debug');
      return raw;
    case 'sync':
      if (raw !== 'full' && raw !== 'normal') throw bad('expected full or normal');
      return raw;
    case 'string':
      if (raw === '') throw bad('expected a non-empty value');
      return raw;
    case 'secret':
      // The value itself is never repeated in the message.
      if (raw.length < 16 || /\s/.test(raw)) throw new ConfigError(`${s.env} is not valid: expected at least 16 characters and no spaces`);
      return raw;
    case 'onoff':
      if (raw !== 'on' && raw !== 'off') throw bad('expected on or off');
      return raw;
    case 'list':
      return raw;
    case 'count': return whole(0, 1e9, 'expected a whole number');
    // The driver numbers a shard's lane segments from shard x 2^40: exact integers up to 4096 shards.
    case 'shards': return whole(1, 4096, 'expected a whole number of shards from 1 to 4096');
  }
}

export function helpText(): string {
  const rows = SETTINGS.map((s) => `  --${flagName(s.env).padEnd(26)} ${s.env.padEnd(26)} ${s.help} [${s.unit}${s.def !== undefined ? `, default ${s.def}` : ''}]`);
  return ['Usage: switchyard [--flag=value ...]', 'Each flag may instead be given as the environment variable beside it.', '', ...rows, ''].join('\n');
}

/** Reads env and argv (flags win over env). Throws ConfigError naming the bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, argv: string[] = []): Config {
  const options: Record<string, { type: 'string' }> = {};
  for (const s of SETTINGS) options[flagName(s.env)] = { type: 'string' };
  let flags: Record<string, string | boolean | undefined>;
  try {
    flags = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const v: Record<string, string | number | undefined> = {};
  for (const s of SETTINGS) {
    const raw = (flags[flagName(s.env)] as string | undefined) ?? env[s.env];
    v[s.env] = raw === undefined ? (s.def === undefined ? undefined : parseValue(s, s.def)) : parseValue(s, raw);
  }
  let couchbase: Config['couchbase'] = null;
  if (v.COUCHBASE_CONNSTR !== undefined) {
    for (const need of ['COUCHBASE_USERNAME', 'COUCHBASE_PASSWORD', 'COUCHBASE_BUCKET']) {
      if (v[need] === undefined) throw new ConfigError(`COUCHBASE_CONNSTR is set but ${need} is not`);
    }
    const durability = String(v.COUCHBASE_DURABILITY);
    if (!['none', 'majority', 'majorityAndPersistActive', 'persistToMajority'].includes(durability)) {
      throw new ConfigError(`COUCHBASE_DURABILITY=${JSON.stringify(durability)} is not valid: expected none, majority, majorityAndPersistActive or persistToMajority`);
    }
    couchbase = Object.freeze({
      connStr: String(v.COUCHBASE_CONNSTR), username: String(v.COUCHBASE_USERNAME), password: String(v.COUCHBASE_PASSWORD),
      bucket: String(v.COUCHBASE_BUCKET), scope: String(v.COUCHBASE_SCOPE), durability,
      keyPrefix: String(v.COUCHBASE_KEY_PREFIX), queueShards: v.COUCHBASE_QUEUE_SHARDS as number,
    });
  }
  return Object.freeze({
    port: v.PORT as number,
    host: v.HOST as string,
    dbFile: v.SWITCHYARD_DB as string,
    couchbase,
    workerTimeoutSeconds: v.SWITCHYARD_WORKER_TIMEOUT as number,
    leaseSeconds: v.SWITCHYARD_LEASE as number,
    logLevel: v.LOG_LEVEL as string,
    sync: v.SWITCHYARD_SYNC as 'full' | 'normal',
    keepFinishedSeconds: v.SWITCHYARD_KEEP_FINISHED as number,
    idempotencyTtlSeconds: v.SWITCHYARD_IDEMPOTENCY_TTL as number,
    pushSecret: v.SWITCHYARD_PUSH_SECRET === undefined || v.SWITCHYARD_PUSH_SECRET === '' ? null : String(v.SWITCHYARD_PUSH_SECRET),
    bodyLimitBytes: v.SWITCHYARD_BODY_LIMIT as number,
    tapRedact: Object.freeze(v.SWITCHYARD_TAP_REDACT === undefined ? [] : String(v.SWITCHYARD_TAP_REDACT).split(',').map((p) => p.trim()).filter(Boolean)),
    routingRecords: Object.freeze({
      sampleEvents: v.SWITCHYARD_SAMPLE_EVENTS as number, samplePerSecond: v.SWITCHYARD_SAMPLE_PER_SECOND as number, unroutedKeepSeconds: v.SWITCHYARD_UNROUTED_KEEP as number, unroutedMax: v.SWITCHYARD_UNROUTED_MAX as number,
    }),
    beanstalk: v.SWITCHYARD_BEANSTALK_PORT === undefined ? null : Object.freeze({
      host: String(v.SWITCHYARD_BEANSTALK_HOST), port: v.SWITCHYARD_BEANSTALK_PORT as number,
      maxJobBytes: v.SWITCHYARD_BEANSTALK_MAX_JOB_SIZE as number, open: v.SWITCHYARD_BEANSTALK_OPEN === 'on',
    }),
    statsd: v.STATSD_HOST === undefined || v.STATSD_HOST === '' ? null : Object.freeze({
      host: String(v.STATSD_HOST), port: v.STATSD_PORT as number, prefix: String(v.STATSD_PREFIX),
      tags: v.STATSD_TAGS === undefined ? null : Object.freeze(String(v.STATSD_TAGS).split(',').map((t) => t.trim()).filter(Boolean)),
      intervalSeconds: v.STATSD_INTERVAL as number,
    }),
    security: Object.freeze({
      adminToken: (v.SWITCHYARD_ADMIN_TOKEN as string | undefined) ?? null,
      authOff: v.SWITCHYARD_AUTH === 'off',
      allowedOrigins: list(v.SWITCHYARD_ALLOWED_ORIGINS),
      allowedHosts: list(v.SWITCHYARD_ALLOWED_HOSTS),
      pushAllow: list(v.SWITCHYARD_PUSH_ALLOW),
      tls: tlsFiles(v.SWITCHYARD_TLS_CERT, v.SWITCHYARD_TLS_KEY),
      rateLimitPerSecond: v.SWITCHYARD_RATE_LIMIT === 0 ? null : v.SWITCHYARD_RATE_LIMIT as number,
    }),
    auditKeepSeconds: v.SWITCHYARD_AUDIT_KEEP as number,
    fanOut: Object.freeze({ maxCopiesPerEvent: v.SWITCHYARD_MAX_COPIES as number, maxCopiesPerRequest: v.SWITCHYARD_MAX_COPIES_PER_REQUEST as number }),
    capacity: Object.freeze({ maxQueues: v.SWITCHYARD_MAX_QUEUES as number, maxWorkers: v.SWITCHYARD_MAX_WORKERS as number, maxSchedules: v.SWITCHYARD_MAX_SCHEDULES as number }),
  });
}

const list = (raw: string | number | undefined): string[] =>
  raw === undefined ? [] : String(raw).split(',').map((x) => x.trim().toLowerCase().replace(/\/$/, '')).filter(Boolean);

function tlsFiles(cert: string | number | undefined, key: string | number | undefined): Config['security']['tls'] {
  if (cert === undefined && key === undefined) return null;
  if (cert === undefined || key === undefined) throw new ConfigError('SWITCHYARD_TLS_CERT and SWITCHYARD_TLS_KEY go together: set both or neither');
  return Object.freeze({ certFile: String(cert), keyFile: String(key) });
}
