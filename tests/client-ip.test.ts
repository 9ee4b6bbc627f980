import { describe, expect, it } from 'vitest';
import { clientIp } from '../lib/client-ip.js';

const from = (headers: Record<string, string>) => clientIp(new Request('http://localhost/api/login', { headers }));
const ip = (address: string) => from({ 'x-real-ip': address });

describe('the client address for per-IP limits', () => {
  it('is x-real-ip, else the first x-forwarded-for entry (the client, not a proxy after it), else "unknown"', () => {
    expect(from({ 'x-real-ip': '198.51.100.7', 'x-forwarded-for': '203.0.113.5' })).toBe('198.51.100.7');
    expect(from({ 'x-forwarded-for': ' 203.0.113.5 , 10.0.0.1' })).toBe('203.0.113.5');
    expect(from({ 'x-forwarded-for': '2001:db8:1:2::7, 10.0.0.1' })).toBe('2001:db8:1:2::/64');
    expect(from({})).toBe('unknown');
    // A header sent empty counts as not sent.
    expect(from({ 'x-real-ip': '', 'x-forwarded-for': '203.0.113.5' })).toBe('203.0.113.5');
    expect(from({ 'x-forwarded-for': '' })).toBe('unknown');
  });

  it('counts an IPv6 client by its /64 network, however the address is written', () => {
    const key = '2001:db8:a:b::/64';
    for (const address of ['2001:db8:a:b::1', '2001:db8:a:b:ffff:ffff:ffff:fffe', '2001:0DB8:000A:000B:0:0:0:9', '2001:db8:a:b:1:2:192.0.2.1', '2001:db8:a:b::1%eth0']) {
      expect(ip(address)).toBe(key);
    }
    expect(ip('2001:db8:a:c::1')).toBe('2001:db8:a:c::/64');
    expect(ip('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(ip('::1')).toBe('0:0:0:0::/64');
    expect(ip('fe80::')).toBe('fe80:0:0:0::/64');
  });

  it('counts an IPv4-mapped IPv6 address as the IPv4 address, in either notation', () => {
    expect(ip('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(ip('::FFFF:c633:6407')).toBe('198.51.100.7');
    expect(ip('0:0:0:0:0:ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(ip('::ffff:198.51.100.7%eth0')).toBe('198.51.100.7');
    // Not mapped: the IPv4-compatible form and a NAT64 prefix are IPv6 networks.
    expect(ip('64:ff9b::198.51.100.7')).toBe('64:ff9b:0:0::/64');
    expect(ip('::198.51.100.7')).toBe('0:0:0:0::/64');
    expect(ip('::1:ffff:c633:6407')).toBe('0:0:0:0::/64');
  });

  it('leaves anything that is not an IP address as it was sent', () => {
    expect(ip('unknown-proxy')).toBe('unknown-proxy');
    expect(ip('1.2.3')).toBe('1.2.3');
  });
});
