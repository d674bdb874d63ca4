import net from 'node:net';

/**
 * The group of addresses one client is taken to control, for limits per address: an IPv4 address
 * as it is, an IPv4-mapped IPv6 address as its IPv4 address, and an IPv6 address by its /64. A
 * single home or server is routinely given a whole /64, so counting per IPv6 address would give
 * an attacker billions of fresh addresses.
 */
export function addressGroup(address: string): string {
  // A link-local zone (%eth0) names an interface, not a host.
  // Stryker disable next-line Regex: without `$` the greedy `.*` still runs to the end (no line breaks in an address)
  const ip = address.replace(/%.*$/, '');
  // Stryker disable next-line ConditionalExpression: an IPv4 address has no zone, so the next line returns it unchanged anyway
  if (net.isIPv4(ip)) return ip;
  if (!net.isIPv6(ip)) return address;
  const hextets = expandIPv6(ip);
  if (hextets.slice(0, 5).every((h) => h === 0) && hextets[5] === 0xffff) {
    const [high, low] = [hextets[6]!, hextets[7]!];
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return `${hextets
    .slice(0, 4)
    .map((h) => h.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail converted). */
function expandIPv6(ip: string): number[] {
  const toHextets = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((piece) => {
          if (!piece.includes('.')) return [parseInt(piece, 16)];
          const [a, b, c, d] = piece.split('.').map(Number) as [number, number, number, number];
          return [(a << 8) | b, (c << 8) | d];
        });
  // Stryker disable next-line StringLiteral: split() always gives a first part; the default only satisfies the type checker
  const [head = '', tail] = ip.split('::');
  const front = toHextets(head);
  if (tail === undefined) return front;
  const back = toHextets(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}
