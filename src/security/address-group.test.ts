import { describe, expect, it } from 'vitest';
import { addressGroup } from './address-group.js';

describe('address group (what one client is taken to control)', () => {
  it('keeps an IPv4 address as it is', () => {
    expect(addressGroup('192.0.2.7')).toBe('192.0.2.7');
  });

  it('takes an IPv4-mapped IPv6 address as its IPv4 address', () => {
    expect(addressGroup('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressGroup('::FFFF:c000:0207')).toBe('192.0.2.7');
  });

  it('groups IPv6 addresses by their /64, however they are written', () => {
    const group = '2001:db8:1:2::/64';
    for (const address of ['2001:db8:1:2::1', '2001:0db8:0001:0002:ffff:ffff:ffff:ffff', '2001:DB8:1:2:0:0:0:9', '2001:db8:1:2::1.2.3.4', '2001:db8:1:2::1%eth0']) {
      expect(addressGroup(address), address).toBe(group);
    }
    expect(addressGroup('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(addressGroup('::1')).toBe('0:0:0:0::/64');
    expect(addressGroup('2001:db8::')).toBe('2001:db8:0:0::/64');
  });

  it('reads a zone after any address, and a mapped address written with leading zero groups', () => {
    expect(addressGroup('::ffff:192.0.2.7%eth0')).toBe('192.0.2.7');
    expect(addressGroup('0:0::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressGroup('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('does not take an address with ffff in the sixth group for a mapped one unless the five before are zero', () => {
    expect(addressGroup('2001:db8::ffff:c000:207')).toBe('2001:db8:0:0::/64');
    expect(addressGroup('0:0:0:0:1:ffff:c000:207')).toBe('0:0:0:0::/64');
  });

  it('leaves anything that is not an address as it is', () => {
    expect(addressGroup('unknown')).toBe('unknown');
  });
});
