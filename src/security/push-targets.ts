// Push without SSRF: a pushUrl may not reach this machine or the private network (cloud metadata,
// internal services, the broker itself) unless SWITCHYARD_PUSH_ALLOW names it. Checked when the URL
// is set, and again on the address each delivery actually connects to (a DNS answer can change).
import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import { BrokerError } from '../errors.js';
import { Allowlist, isInternalAddress } from './network.js';

export class PushTargets {
  private readonly allow: Allowlist;

  constructor(allow: readonly string[]) {
    this.allow = new Allowlist(allow);
  }

  /** Throws push_url_forbidden when the URL's host is, or resolves to, an internal address. */
  async check(url: string): Promise<void> {
    let host: string;
    try {
      host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    } catch {
      throw new BrokerError('push_url_forbidden', 'pushUrl is not a valid URL');
    }
    if (this.allow.has(host)) return;
    const addresses = await dns.promises.lookup(host, { all: true, verbatim: true }).catch(() => [] as dns.LookupAddress[]);
    const internal = addresses.find((a) => isInternalAddress(a.address) && !this.allow.has(a.address));
    if (isInternalAddress(host) || internal) {
      throw new BrokerError('push_url_forbidden', `pushUrl ${host} ${internal && internal.address !== host ? `resolves to ${internal.address}, ` : ''}is a loopback, private or link-local address: list it in SWITCHYARD_PUSH_ALLOW to push there`);
    }
  }

  /** For http.request: resolves as usual, then refuses an internal address that is not allowed. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) { callback(err, '', 4); return; }
      const list = addresses as dns.LookupAddress[];
      const usable = list.filter((a) => this.allow.has(hostname) || !isInternalAddress(a.address) || this.allow.has(a.address));
      if (usable.length === 0) {
        callback(Object.assign(new Error(`${hostname} resolves to an internal address (${list.map((a) => a.address).join(', ')}); not in SWITCHYARD_PUSH_ALLOW`), { code: 'PUSH_TARGET_FORBIDDEN' }), '', 4);
        return;
      }
      if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, usable);
      else callback(null, usable[0]!.address, usable[0]!.family);
    });
  };

  /** An IP-literal URL is never looked up: checked here before connecting. */
  allowsLiteral(host: string): boolean {
    const h = host.replace(/^\[|\]$/g, '');
    return !isInternalAddress(h) || this.allow.has(h);
  }
}
