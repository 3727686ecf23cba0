/**
 * Where a session or a security event came from, as far as the server itself can tell: the
 * kind of network its IP address belongs to, and for a public address the network around it
 * (the /24 of an IPv4 address, the /48 of an IPv6 one; a household or an office usually keeps
 * its prefix while the last part changes). Nothing is looked up anywhere: no geolocation
 * database, no reverse DNS, so a city or a country is never claimed (docs/protocol.md §12).
 */

export type NetworkKind = 'loopback' | 'private' | 'link-local' | 'shared' | 'public' | 'unknown';

export interface NetworkPlace {
  readonly kind: NetworkKind;
  /** For people: "This server's own machine", "A private network (10.1.2.0/24)", "Network 203.0.113.0/24". */
  readonly description: string;
  /** The prefix shown, e.g. "203.0.113.0/24" or "2001:db8:1200::/48"; undefined when there is none to show. */
  readonly network?: string;
}

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : Number.NaN));
  return bytes.every((b) => b >= 0 && b <= 255) ? bytes : undefined;
}

/** The eight 16-bit groups of an IPv6 address (with `::` expanded and a trailing IPv4 part folded in), or undefined. */
function parseIpv6(text: string): number[] | undefined {
  const address = text.replace(/%.*$/, ''); // a zone (fe80::1%eth0) names the interface, not the address
  if (!/^[0-9a-fA-F:.]+$/.test(address)) return undefined;
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    for (const part of half.split(':')) {
      if (part.includes('.')) {
        const v4 = parseIpv4(part);
        if (v4 === undefined) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) out.push(Number.parseInt(part, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - tail.length;
  return missing >= 1 ? [...head, ...new Array<number>(missing).fill(0), ...tail] : undefined;
}

function describeIpv4(b: number[]): NetworkPlace {
  const network = `${b[0]}.${b[1]}.${b[2]}.0/24`;
  if (b[0] === 127) return { kind: 'loopback', description: "This server's own machine (loopback)" };
  if (b[0] === 10 || (b[0] === 172 && b[1]! >= 16 && b[1]! <= 31) || (b[0] === 192 && b[1] === 168))
    return { kind: 'private', description: `A private network (${network})`, network };
  if (b[0] === 169 && b[1] === 254) return { kind: 'link-local', description: `The server's local link (${network})`, network };
  if (b[0] === 100 && b[1]! >= 64 && b[1]! <= 127) return { kind: 'shared', description: `A provider's shared network (${network})`, network };
  return { kind: 'public', description: `Network ${network}`, network };
}

function describeIpv6(g: number[]): NetworkPlace {
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return { kind: 'loopback', description: "This server's own machine (loopback)" };
  // ::ffff:a.b.c.d is an IPv4 client seen through an IPv6 socket.
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return describeIpv4([g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff]);
  const prefix = g.slice(0, 3).map((x) => x.toString(16));
  while (prefix.length > 0 && prefix[prefix.length - 1] === '0') prefix.pop();
  const network = `${prefix.join(':')}::/48`;
  if ((g[0]! & 0xfe00) === 0xfc00) return { kind: 'private', description: `A private network (${network})`, network };
  if ((g[0]! & 0xffc0) === 0xfe80) return { kind: 'link-local', description: "The server's local link" };
  return { kind: 'public', description: `Network ${network}`, network };
}

/** Describes an IP address as the server saw it (`null` when none was recorded). Never throws. */
export function describeNetworkPlace(ip: string | null | undefined): NetworkPlace {
  if (ip === null || ip === undefined || ip === '') return { kind: 'unknown', description: 'Address not recorded' };
  const v4 = parseIpv4(ip);
  if (v4 !== undefined) return describeIpv4(v4);
  const v6 = parseIpv6(ip);
  if (v6 !== undefined) return describeIpv6(v6);
  return { kind: 'unknown', description: 'An address the server could not read' };
}
