/**
 * The rate-limit key of a request's source address.
 *
 * Protects against: an IPv6 client rotating addresses. One subscriber usually holds a whole /64
 * (2⁶⁴ addresses), so per-address buckets would be no limit at all; every address in one /64 is
 * one bucket. IPv4 addresses (and IPv4-mapped IPv6 ones, `::ffff:a.b.c.d`) are their own bucket.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { RequestMeta } from '../context.ts';

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail becomes the last two). */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.split('%')[0]!.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const groups = tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** `a.b.c.d` for IPv4 (also when IPv4-mapped), `xxxx:xxxx:xxxx:xxxx::/64` for IPv6, else the text as given. */
export function sourceBucketOf(ip: string): string {
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return ip;
  const groups = ipv6Groups(ip);
  if (groups === undefined) return ip;
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

export const sourceKey = (meta: RequestMeta): string => (meta.ip === null ? 'unknown' : sourceBucketOf(meta.ip));
