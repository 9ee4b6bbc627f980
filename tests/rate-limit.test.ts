import { afterEach, describe, expect, it, vi } from 'vitest';
import { resetConfig } from '../lib/config.js';
import { HttpError } from '../lib/http-errors.js';
import { problems, waitInWords } from '../lib/problems.js';
import { enforceLimit, enforceTogether, takeSlot } from '../lib/rate-limit.js';
import { getStore, resetStore, StoreUnavailableError } from '../lib/store.js';

// lib/rate-limit.ts on the in-process store; a store that fails or answers late is played by a spy.
describe('the rate limits, around what the store answers', () => {
  const limits = (values: Record<string, string>) => {
    for (const [name, value] of Object.entries(values)) vi.stubEnv(name, value);
    resetConfig();
    resetStore();
  };
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    resetConfig();
    resetStore();
  });

  it('throws the store failure (503), not the refusal, when one limit refuses and the other cannot be counted', async () => {
    limits({ RATE_LIMIT_LOGIN_IP: '1/1h' });
    await enforceLimit('loginIp', '198.51.100.7');
    const outage = new StoreUnavailableError('redis rate limit failed: timed out');
    for (const checks of [
      [enforceLimit('loginIp', '198.51.100.7'), Promise.reject(outage)],
      [Promise.reject(outage), enforceLimit('loginIp', '198.51.100.7')],
    ]) {
      await expect(enforceTogether(checks)).rejects.toBe(outage);
    }
  });

  it('announces a wait of at least a second when the refusal comes after its window ended (a late answer)', async () => {
    vi.spyOn(getStore(), 'hit').mockResolvedValueOnce({ success: false, limit: 3, remaining: 0, reset: Date.now() - 50 });
    const refused = await enforceLimit('forgotIp', '198.51.100.7').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HttpError);
    expect((refused as HttpError).extra.headers?.['Retry-After']).toBe('1');
  });

  describe('with RATE_LIMIT_FAIL_OPEN=true', () => {
    it('lets a notice through past an unreachable store, as it lets requests through', async () => {
      limits({ RATE_LIMIT_FAIL_OPEN: 'true' });
      vi.spyOn(console, 'error').mockImplementation(() => {});
      vi.spyOn(getStore(), 'hit').mockRejectedValueOnce(new StoreUnavailableError('redis rate limit failed: timed out'));
      expect(await takeSlot('emailNotice', 'ada@example.com')).toBe(true);
    });

    it('skips a limit only for an unreachable store: any other failure is still thrown', async () => {
      limits({ RATE_LIMIT_FAIL_OPEN: 'true' });
      const bug = new TypeError('not a store outage');
      vi.spyOn(getStore(), 'hit').mockRejectedValueOnce(bug);
      await expect(enforceLimit('loginIp', '198.51.100.7')).rejects.toBe(bug);
    });
  });
});

describe('a refusal says how long to wait in words a person reads, never shorter than Retry-After', () => {
  it('counts seconds under a minute, minutes under an hour, then hours, each rounded up', () => {
    expect([1, 45, 59, 60, 61, 3306, 3599, 3600, 3601, 25909, 86400].map(waitInWords)).toEqual([
      '1 second', '45 seconds', '59 seconds', '1 minute', '2 minutes', '56 minutes', '60 minutes', '1 hour', '2 hours', '8 hours', '24 hours',
    ]);
    const refused = problems.rateLimited('resetFailures', { limit: 10, remaining: 0, resetSeconds: 25909 });
    expect(refused.detail).toBe('Too many failed password resets for this email address. Try again in 8 hours.');
    expect(refused.extra.headers?.['Retry-After']).toBe('25909');
  });
});
