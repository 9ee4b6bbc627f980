import { afterEach, describe, expect, it, vi } from 'vitest';
import { resetConfig } from '../lib/config.js';
import { clearSignInCookie, readSignInCookie, signInCookie } from '../lib/google-cookie.js';

const FLOW = { state: 's'.repeat(43), codeVerifier: 'v'.repeat(43), nonce: 'n'.repeat(43) };
const callbackWith = (setCookie: string) => new Request('http://localhost/api/google/callback', { headers: { cookie: setCookie.split(';')[0]! } });

afterEach(() => vi.useRealTimers());

describe('the Google sign-in cookie', () => {
  it('lasts 10 minutes by its own encrypted expiry, not only by the browser keeping Max-Age: an older one captured and replayed is refused', async () => {
    const start = new Request('http://localhost/api/google/start');
    expect(await readSignInCookie(callbackWith(await signInCookie(start, FLOW)))).toEqual(FLOW);
    // jose reads the clock through `new Date()`: fake Date itself, not only Date.now.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() - 11 * 60_000);
    const old = await signInCookie(start, FLOW);
    vi.useRealTimers();
    expect(await readSignInCookie(callbackWith(old))).toBeNull();
  });

  it('is sealed with SESSION_SECRET_KEY, apart from SECRET_KEY: a new session key makes it unreadable, a new token key does not', async () => {
    const saved = { SECRET_KEY: process.env.SECRET_KEY, SESSION_SECRET_KEY: process.env.SESSION_SECRET_KEY };
    const keys = (secret: string, session: string) => {
      Object.assign(process.env, { SECRET_KEY: secret, SESSION_SECRET_KEY: session });
      resetConfig();
    };
    try {
      keys('token-key-0123456789-abcdefghijklmnop', 'session-key-0123456789-abcdefghijklmn');
      const cookie = await signInCookie(new Request('http://localhost/api/google/start'), FLOW);
      keys('another-token-key-0123456789-abcdefghij', 'session-key-0123456789-abcdefghijklmn');
      expect(await readSignInCookie(callbackWith(cookie))).toEqual(FLOW);
      keys('token-key-0123456789-abcdefghijklmnop', 'another-session-key-0123456789-abcdefg');
      expect(await readSignInCookie(callbackWith(cookie))).toBeNull();
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      resetConfig();
    }
  });

  it('is refused when tampered with', async () => {
    const cookie = await signInCookie(new Request('http://localhost/api/google/start'), FLOW);
    const [name, value] = cookie.split(';')[0]!.split('=');
    const flipped = value!.slice(0, -2) + (value!.at(-2) === 'A' ? 'B' : 'A') + value!.at(-1);
    expect(await readSignInCookie(callbackWith(`${name}=${flipped}`))).toBeNull();
  });

  it('is __Host-prefixed outside localhost (Secure, Path=/, no Domain), so a sibling subdomain cannot plant one', async () => {
    const start = new Request('https://auth.example.com/api/google/start');
    const cookie = await signInCookie(start, FLOW);
    expect(cookie).toMatch(/^__Host-google_signin=[^;]+; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/);
    expect(clearSignInCookie(start)).toBe('__Host-google_signin=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure');
    const value = cookie.split(';')[0]!.split('=').slice(1).join('=');
    const callback = (header: string) => new Request('https://auth.example.com/api/google/callback', { headers: { cookie: header } });
    expect(await readSignInCookie(callback(`__Host-google_signin=${value}`))).toEqual(FLOW);
    // The same flow under the plain name is what another subdomain could set (Domain=.example.com): ignored.
    expect(await readSignInCookie(callback(`google_signin=${value}`))).toBeNull();
  });

  it('is google_signin, sent only to /api/google, on localhost (plain http)', async () => {
    // Also on the loopback addresses the dev server listens on (HOST=127.0.0.1, HOST=::1).
    for (const origin of ['http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000']) {
      const cookie = await signInCookie(new Request(`${origin}/api/google/start`), FLOW);
      expect(cookie, origin).toMatch(/^google_signin=[^;]+; Path=\/api\/google; Max-Age=600; HttpOnly; SameSite=Lax$/);
    }
  });
});
