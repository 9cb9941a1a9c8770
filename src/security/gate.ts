// The one check every request passes, in express and on the fast path alike: cross-site and
// rebinding guards, then who is asking (a bearer token, or open mode) and whether that may do it.
import { BrokerError } from '../errors.js';
import type { Role, TokenRecord } from '../model.js';
import type { Logger } from '../log.js';
import { needOf, refusal } from './access.js';
import { hostName, isLoopbackListen, isLoopbackName } from './network.js';
import { bearer, hashToken, sameHash } from './tokens.js';
import { RateLimiter } from './rate-limit.js';
import { InFlight } from '../in-flight.js';

export interface GateSettings {
  /** SHA-256 of SWITCHYARD_ADMIN_TOKEN, or null. */
  adminTokenHash: string | null;
  /** SWITCHYARD_AUTH=off: open mode even off loopback, on purpose. */
  authOff: boolean;
  /** The broker listens on a loopback address only. */
  loopback: boolean;
  allowedOrigins: readonly string[];
  allowedHosts: readonly string[];
  /** Requests per second per token (per address in open mode); null: no limit. */
  rateLimitPerSecond: number | null;
}

/** Who made a request: a token's name and role, or "open" (open mode, allowed everything). */
export interface Principal { name: string; role: Role; queues: string[] | null }

/** The scheme the browser used: ours, or the one a reverse proxy on this machine (a loopback peer)
 *  says it terminated (X-Forwarded-Proto), so a page served through a TLS proxy may write. */
function servedOver(req: RequestFacts): 'http' | 'https' {
  if (req.secure) return 'https';
  const forwarded = header(req.headers['x-forwarded-proto'])?.split(',')[0]?.trim().toLowerCase();
  return forwarded === 'https' && isLoopbackListen(req.remote) ? 'https' : 'http';
}

export interface RequestFacts {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  secure: boolean;
  /** The client's address (the socket's). */
  remote: string;
}

type TokenLookup = {
  tokenByHash(hash: string): Promise<TokenRecord | null>; hasTokens(): Promise<boolean>; touchToken(name: string, atMs: number): Promise<void>;
  /** A worker's queues, to hold a queue-limited work token to the workers of its own queues. */
  getWorker(workerId: string): Promise<{ queues: string[] } | null>;
};

/** A token's last use is written at most this often per node: a write per request would cost a commit. */
const TOUCH_EVERY_MS = 60_000;
/** Whether any token exists is read again after this long: reading it on every open-mode request was
 *  a twentieth of a publish. Tokens made or deleted on this node count at once; on another, within it. */
const OPEN_RECHECK_MS = 1000;
const OPEN: Principal = { name: 'open', role: 'admin', queues: null };
const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export class Gate {
  private readonly touchedAt = new Map<string, number>();
  private readonly rate: RateLimiter | null;
  private tokensExist: { value: boolean; atMs: number } | null = null;
  /** Last-use writes under way, awaited before the store closes. */
  readonly touching = new InFlight();
  /** Host headers already judged (a client sends the same one every time). */
  private readonly hostIsOurs = new Map<string, boolean>();

  constructor(private readonly tokens: TokenLookup, private readonly settings: GateSettings, private readonly log: Logger, private readonly now: () => number = Date.now) {
    this.rate = settings.rateLimitPerSecond === null ? null : new RateLimiter(settings.rateLimitPerSecond);
  }

  /** The principal, or a BrokerError: 401 unauthorized, 403 forbidden. null: open to anyone (healthz, the page's files). */
  async check(req: RequestFacts): Promise<Principal | null> {
    this.refuseCrossSite(req);
    const need = needOf(req.method, req.path, req.query, req.body);
    const secret = bearer(header(req.headers.authorization));
    if (secret === null) {
      if (need.open) return null;
      if (!(await this.isOpen())) throw new BrokerError('unauthorized', 'this broker needs a token: send Authorization: Bearer <token>');
      if (this.settings.loopback) this.refuseRebinding(req);
      this.limit(`address ${req.remote}`);
      return OPEN;
    }
    const principal = await this.principalOf(secret);
    const why = refusal(principal, need);
    if (why !== null) throw new BrokerError('forbidden', why);
    this.limit(`token ${principal.name}`);
    return principal;
  }

  private limit(key: string): void {
    const wait = this.rate?.take(key, this.now()) ?? 0;
    if (wait > 0) {
      throw new BrokerError('rate_limited', `over ${this.settings.rateLimitPerSecond} requests a second for this ${key.split(' ')[0]} (SWITCHYARD_RATE_LIMIT): retry in ${wait} s`, [{ retryAfterSeconds: wait }]);
    }
  }

  /** A queue-limited work token may claim, report and remove only as a worker of its own queues
   *  (it could otherwise use another worker's id, and take that worker's tasks). */
  async checkWorker(principal: Principal | null, workerId: unknown): Promise<void> {
    if (principal === null || principal.queues === null || principal.role !== 'work' || typeof workerId !== 'string') return;
    const w = await this.tokens.getWorker(workerId);
    const outside = w?.queues.filter((q) => !principal.queues!.includes(q)) ?? [];
    if (outside.length) throw new BrokerError('forbidden', `your token is limited to the queues ${principal.queues.join(', ')}; that worker serves ${outside.join(', ')}`);
  }

  /** Open mode: no token anywhere, and either loopback only or SWITCHYARD_AUTH=off. */
  async isOpen(): Promise<boolean> {
    if (this.settings.adminTokenHash !== null || !(this.settings.loopback || this.settings.authOff)) return false;
    const nowMs = this.now();
    if (!this.tokensExist || nowMs - this.tokensExist.atMs >= OPEN_RECHECK_MS) this.tokensExist = { value: await this.tokens.hasTokens(), atMs: nowMs };
    return !this.tokensExist.value;
  }

  /** A token was made or deleted on this node: open mode is decided afresh on the next request. */
  tokensChanged(): void {
    this.tokensExist = null;
  }

  private async principalOf(secret: string): Promise<Principal> {
    const hash = hashToken(secret);
    if (this.settings.adminTokenHash !== null && sameHash(hash, this.settings.adminTokenHash)) return { name: 'admin (SWITCHYARD_ADMIN_TOKEN)', role: 'admin', queues: null };
    // Found by its hash: the lookup's timing tells nothing about any stored secret.
    const t = await this.tokens.tokenByHash(hash);
    if (!t) throw new BrokerError('unauthorized', 'unknown or revoked token');
    const nowMs = this.now();
    if (nowMs - (this.touchedAt.get(t.name) ?? 0) >= TOUCH_EVERY_MS) {
      this.touchedAt.set(t.name, nowMs);
      void this.touching.track(this.tokens.touchToken(t.name, nowMs).catch((e: Error) => this.log.warn('token last use not recorded', { token: t.name, error: e.message })));
    }
    return { name: t.name, role: t.role, queues: t.queues };
  }

  /** A browser's cross-site write (a hostile page's form POST to this broker) is refused. */
  private refuseCrossSite(req: RequestFacts): void {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return;
    if (header(req.headers['sec-fetch-site']) === 'cross-site') throw new BrokerError('forbidden', 'cross-site request refused');
    const origin = header(req.headers.origin);
    if (origin === undefined) return;
    const own = `${servedOver(req)}://${header(req.headers.host) ?? ''}`.toLowerCase();
    if (origin.toLowerCase() !== own && !this.settings.allowedOrigins.includes(origin.toLowerCase())) {
      throw new BrokerError('forbidden', `requests from origin ${origin} are refused (SWITCHYARD_ALLOWED_ORIGINS lists the others allowed)`);
    }
  }

  /** In open mode a page on another name that resolves to 127.0.0.1 (DNS rebinding) must not reach us. */
  private refuseRebinding(req: RequestFacts): void {
    const host = header(req.headers.host) ?? '';
    let ours = this.hostIsOurs.get(host);
    const name = hostName(host);
    if (ours === undefined) {
      ours = isLoopbackName(name) || this.settings.allowedHosts.includes(name);
      if (this.hostIsOurs.size < 1000) this.hostIsOurs.set(host, ours);
    }
    if (ours) return;
    throw new BrokerError('forbidden', `Host ${name || '(none)'} is not this broker's: open mode answers loopback names only (SWITCHYARD_ALLOWED_HOSTS lists others)`);
  }
}
