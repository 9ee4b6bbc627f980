import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// Codes that stand for an account (the mailed reset code, the Google exchange code) must come from
// the CSPRNG: the original drew its OTPs from a non-cryptographic generator, whose next outputs
// can be worked out from a few seen ones. A test of a code's format or spread cannot tell the two
// apart, so these check where the randomness comes from.
const drawn = vi.hoisted(() => ({ randomInt: vi.fn(), randomBytes: vi.fn() }));
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  drawn.randomInt.mockImplementation(real.randomInt);
  drawn.randomBytes.mockImplementation(real.randomBytes);
  return { ...real, default: { ...real, ...drawn }, ...drawn };
});

const { issueOtp, takeOtp } = await import('../lib/otp.js');
const { issueExchangeCode, redeemExchangeCode } = await import('../lib/exchange-codes.js');

describe('one-time codes come from the CSPRNG', () => {
  it("the reset code is node:crypto's randomInt over all six digits", async () => {
    drawn.randomInt.mockReturnValueOnce(4_242);
    const email = `csprng.${Date.now()}@example.com`;
    expect(await issueOtp(email)).toBe('004242');
    expect(drawn.randomInt).toHaveBeenLastCalledWith(0, 1_000_000);
    expect(await takeOtp(email, '004242')).toBe(true);
  });

  it("the exchange code is node:crypto's randomBytes, 32 of them", async () => {
    const bytes = Buffer.alloc(32, 7);
    drawn.randomBytes.mockReturnValueOnce(bytes);
    const code = await issueExchangeCode({ id: '00000000-0000-4000-8000-00000000000c', tokenVersion: 0 });
    expect(drawn.randomBytes).toHaveBeenCalledWith(32);
    expect(code).toBe(bytes.toString('base64url'));
    expect(await redeemExchangeCode(code)).not.toBeNull();
  });

  it('no code of the service uses Math.random', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []));
    const users = [...files('api'), ...files('lib')].filter((file) => /Math\.random/.test(readFileSync(file, 'utf8')));
    expect(users).toEqual([]);
  });
});
