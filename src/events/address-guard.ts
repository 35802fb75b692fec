import ipaddr from 'ipaddr.js';

/**
 * Which addresses an event may be sent to. Only globally routable unicast: ipaddr.js classifies every
 * special-purpose range of the IANA registries (private, loopback, link-local, CGNAT, multicast,
 * unspecified, broadcast, benchmarking, documentation "reserved", unique-local, 6to4, Teredo, NAT64...),
 * and an IPv4-mapped IPv6 address is judged as the IPv4 address it carries. Anything it cannot parse is
 * refused.
 */
export function isPublicAddress(ip: string): boolean {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  if (!ipaddr.isValid(bare)) return false;
  let addr = ipaddr.parse(bare);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  return addr.range() === 'unicast';
}

/** An IP literal (v4, or v6 in brackets as a URL's hostname has it), or null for a DNS name. */
export function ipLiteral(hostname: string): string | null {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) && (bare.includes(':') || ipaddr.IPv4.isValidFourPartDecimal(bare)) ? bare : null;
}

export type UrlProblem = 'not-a-url' | 'scheme' | 'credentials' | 'private-address';

/**
 * The checks of a webhook URL that need no DNS (when it is set, and again before each delivery):
 * https (http: only where private networks are allowed), no user:password part, and no IP literal in a
 * non-public range. Names are resolved and checked at delivery (./guarded-post.ts).
 */
export function urlProblem(url: string, allowPrivate: boolean): UrlProblem | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not-a-url';
  }
  if (u.protocol !== 'https:' && !(allowPrivate && u.protocol === 'http:')) return 'scheme';
  if (u.username || u.password) return 'credentials';
  const literal = ipLiteral(u.hostname);
  if (!allowPrivate && literal !== null && !isPublicAddress(literal)) return 'private-address';
  return null;
}
