// Address rules: which listen addresses are loopback (open mode is allowed only there), which Host
// names are this machine's, and the private ranges a pushUrl may not reach (SSRF).
import net from 'node:net';

/** Loopback, private, link-local and unique-local ranges: never a push target unless allowed. */
const INTERNAL: [string, number, 'ipv4' | 'ipv6'][] = [
  ['0.0.0.0', 8, 'ipv4'], ['127.0.0.0', 8, 'ipv4'], ['10.0.0.0', 8, 'ipv4'], ['172.16.0.0', 12, 'ipv4'], ['192.168.0.0', 16, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'], ['100.64.0.0', 10, 'ipv4'], ['::', 128, 'ipv6'], ['::1', 128, 'ipv6'], ['fc00::', 7, 'ipv6'], ['fe80::', 10, 'ipv6'],
];
const internal = new net.BlockList();
for (const [a, bits, family] of INTERNAL) internal.addSubnet(a, bits, family);
const loopback = new net.BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is the IPv4 address it carries. */
function plain(address: string): { address: string; family: 'ipv4' | 'ipv6' } | null {
  const a = address.replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  const v = net.isIP(a);
  return v === 4 ? { address: a, family: 'ipv4' } : v === 6 ? { address: a, family: 'ipv6' } : null;
}

export function isInternalAddress(address: string): boolean {
  const p = plain(address);
  return p !== null && internal.check(p.address, p.family);
}

/** Whether a listen address is reachable from this machine only. */
export function isLoopbackListen(host: string): boolean {
  if (host === 'localhost') return true;
  const p = plain(host);
  return p !== null && loopback.check(p.address, p.family);
}

/** The name part of a Host header (no port, no brackets), lower case. */
export function hostName(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') === -1 ? undefined : h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

/** Whether a Host header names this machine's loopback (a DNS-rebinding page sends its own name). */
export function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost') || isLoopbackListen(name);
}

/** A list of hosts and CIDRs (SWITCHYARD_PUSH_ALLOW): does it hold this host name or address? */
export class Allowlist {
  private readonly names = new Set<string>();
  private readonly ranges = new net.BlockList();

  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const e = raw.trim().toLowerCase();
      if (!e) continue;
      const [a, bits] = e.split('/');
      const p = plain(a!);
      if (p && bits !== undefined) this.ranges.addSubnet(p.address, Number(bits), p.family);
      else if (p) this.ranges.addAddress(p.address, p.family);
      else this.names.add(e);
    }
  }

  has(hostOrAddress: string): boolean {
    const h = hostOrAddress.toLowerCase().replace(/^\[|\]$/g, '');
    if (this.names.has(h)) return true;
    const p = plain(h);
    return p !== null && this.ranges.check(p.address, p.family);
  }
}
