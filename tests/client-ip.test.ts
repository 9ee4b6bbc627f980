import { describe, expect, it } from 'vitest';
import { clientIp } from '../lib/client-ip.js';

const from = (headers: Record<string, string>) => clientIp(new Request('http://localhost/api/login', { headers }));

describe('the client address for per-IP limits', () => {
  it('is x-real-ip, else the first x-forwarded-for entry (the client, not a proxy after it), else "unknown"', () => {
    expect(from({ 'x-real-ip': '198.51.100.7', 'x-forwarded-for': '203.0.113.5' })).toBe('198.51.100.7');
    expect(from({ 'x-forwarded-for': ' 203.0.113.5 , 10.0.0.1' })).toBe('203.0.113.5');
    expect(from({})).toBe('unknown');
  });
});
