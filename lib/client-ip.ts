import { isIPv4, isIPv6 } from 'node:net';

/**
 * The client's address as a per-IP rate limit should count it.
 *
 * Decision: read `x-real-ip`, then the first entry of `x-forwarded-for`. On Vercel both are set
 * by the platform's edge, which overwrites whatever the client sent, so neither can be forged
 * there; the local dev server (scripts/dev-server.ts) does the same from the socket. Behind any
 * other proxy this must be revisited, because there a client could send its own values.
 * A request with neither (a handler called directly, as in tests) shares the bucket "unknown".
 *
 * Decision: an IPv6 client is counted by its /64 network, not its full address. One subscriber
 * is given at least a /64 and can pick any of its 2^64 addresses per request, so a per-address
 * bucket would be no limit at all (the same choice as Cloudflare's and most WAFs' IPv6 limits).
 * An IPv4-mapped address (`::ffff:198.51.100.7`) counts as the IPv4 address it is.
 *
 * @example const ip = clientIp(request); // "198.51.100.7", "2001:db8:1:2::/64" or "unknown"
 */
export function clientIp(request: Request): string {
  const real = request.headers.get('x-real-ip')?.trim();
  const address = real || request.headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  return address ? rateLimitKey(address) : 'unknown';
}

/** An IPv4 address as it is; an IPv6 one as its /64 network, or the IPv4 address it maps. */
function rateLimitKey(address: string): string {
  if (isIPv4(address) || !isIPv6(address)) return address;
  const groups = hextets(address.split('%')[0]!);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  }
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail converted). */
function hextets(address: string): number[] {
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  const hex = dotted ? address.slice(0, dotted.index) + `${((+dotted[1]! << 8) | +dotted[2]!).toString(16)}:${((+dotted[3]! << 8) | +dotted[4]!).toString(16)}` : address;
  const [head = '', tail] = hex.split('::');
  const parse = (part: string) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}
