/**
 * The approximate place of a session or security event, from the IP address alone (no lookup):
 * loopback, private, link-local and shared ranges named as such, public addresses shown by
 * their /24 or /48, IPv4 seen through an IPv6 socket as IPv4, and nonsense never throwing.
 */
import { describe, expect, it } from 'vitest';
import { describeNetworkPlace } from '../src/network-place.ts';

describe('describeNetworkPlace', () => {
  it.each([
    ['127.0.0.1', 'loopback', undefined],
    ['127.8.9.10', 'loopback', undefined],
    ['::1', 'loopback', undefined],
    ['::ffff:127.0.0.1', 'loopback', undefined],
    ['10.1.2.3', 'private', '10.1.2.0/24'],
    ['172.16.0.9', 'private', '172.16.0.0/24'],
    ['172.31.255.1', 'private', '172.31.255.0/24'],
    ['192.168.1.77', 'private', '192.168.1.0/24'],
    ['::ffff:192.168.1.77', 'private', '192.168.1.0/24'],
    ['fd12:3456:789a:1::5', 'private', 'fd12:3456:789a::/48'],
    ['169.254.3.4', 'link-local', '169.254.3.0/24'],
    ['fe80::1%eth0', 'link-local', undefined],
    ['100.64.0.1', 'shared', '100.64.0.0/24'],
    ['172.32.0.1', 'public', '172.32.0.0/24'],
    ['203.0.113.45', 'public', '203.0.113.0/24'],
    ['::ffff:198.51.100.7', 'public', '198.51.100.0/24'],
    ['2001:db8:1200:ab::1', 'public', '2001:db8:1200::/48'],
    ['2001:db8::1', 'public', '2001:db8::/48'],
    ['2a00:1450:4001:80b::200e', 'public', '2a00:1450:4001::/48'],
  ])('%s is %s (%s)', (ip, kind, network) => {
    const place = describeNetworkPlace(ip);
    expect(place.kind).toBe(kind);
    expect(place.network).toBe(network);
    if (network !== undefined) expect(place.description).toContain(network);
  });

  it('says so when there is no address, or one it cannot read', () => {
    expect(describeNetworkPlace(null)).toEqual({ kind: 'unknown', description: 'Address not recorded' });
    for (const bad of ['', '256.1.1.1', '1.2.3', '1::2::3', '1:2:3:4:5:6:7:8:9', 'example.com', '12345::', '::ffff:1.2.3.400'])
      expect(describeNetworkPlace(bad).kind, bad).toBe('unknown');
  });
});
