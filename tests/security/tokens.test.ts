import { eq } from '../../vendor/drizzle/index.mjs';
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as forgotPassword } from '../../api/forgot-password.js';
import { POST as login } from '../../api/login.js';
import { GET as me } from '../../api/me.js';
import { POST as register } from '../../api/register.js';
import { POST as resetPassword } from '../../api/reset-password.js';
import { settleBackground } from '../../lib/background.js';
import { getConfig, resetConfig } from '../../lib/config.js';
import { getDb } from '../../lib/db/client.js';
import { users } from '../../lib/db/schema.js';
import { useDatabase } from '../support/database.js';
import { bearerRequest, jsonRequest, newAccount } from '../support/http.js';
import { latestCode } from '../support/outbox.js';
import { Tally } from './summary.js';

const tally = new Tally('tokens');

/** Every way to present a token that must not work answers 401, and the control token works. */
describe('tokens: forged, stale and revoked tokens are all refused', () => {
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    cleanup = await useDatabase('pglite');
  });
  afterAll(async () => {
    console.log(tally.line());
    await cleanup();
  });

  async function signUp() {
    const account = newAccount();
    const response = await register(jsonRequest('/api/register', account));
    expect(response.status).toBe(201);
    const body = await response.json();
    return { account, id: body.user.id as string, token: body.access_token as string };
  }

  async function status(token: string): Promise<number> {
    const response = await me(bearerRequest('/api/me', token));
    await response.arrayBuffer();
    tally.requests++;
    return response.status;
  }

  it('refuses every forged or stale token', async () => {
    const { id } = await signUp();
    const { issuer, audience } = getConfig().jwt;
    const key = new TextEncoder().encode(getConfig().secretKey);
    const good = { sub: id, ver: 0, iss: issuer, aud: audience };
    const sign = (claims: Record<string, unknown>, k: Uint8Array = key, setup = (j: SignJWT) => j.setExpirationTime('5m')) =>
      setup(new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt()).sign(k);
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const now = Math.floor(Date.now() / 1000);
    const forged: Record<string, string> = {
      alg_none: new UnsecuredJWT({ ...good, exp: now + 300 }).setIssuedAt().encode(),
      wrong_key: await sign(good, new TextEncoder().encode('x'.repeat(48))),
      rs256: await new SignJWT(good).setProtectedHeader({ alg: 'RS256' }).setIssuedAt().setExpirationTime('5m').sign(privateKey),
      rs256_hs256_confusion: await sign(good, new TextEncoder().encode(JSON.stringify(await exportJWK(publicKey)))),
      wrong_iss: await sign({ ...good, iss: 'https://evil.example' }),
      wrong_aud: await sign({ ...good, aud: 'another-app' }),
      expired: await sign(good, key, (j) => j.setExpirationTime(now - 1)),
      not_yet_valid: await sign(good, key, (j) => j.setExpirationTime('10m').setNotBefore(now + 300)),
      missing_sub: await sign({ ver: 0, iss: issuer, aud: audience }),
      missing_exp: await sign(good, key, (j) => j),
      missing_iat: await new SignJWT(good).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(key),
      old_version: await sign({ ...good, ver: -1 }),
      future_version: await sign({ ...good, ver: 1 }),
      hs512_same_secret: await new SignJWT(good).setProtectedHeader({ alg: 'HS512' }).setIssuedAt().setExpirationTime('5m').sign(key),
      hs384_same_secret: await new SignJWT(good).setProtectedHeader({ alg: 'HS384' }).setIssuedAt().setExpirationTime('5m').sign(key),
      // Signed with the right key but shaped wrong (a bug, or a leaked key's misuse): a 401, never a query or a 500.
      sub_in_an_array: await sign({ ...good, sub: [id] }),
      sub_with_more_after_it: await sign({ ...good, sub: `${id}x` }),
      sub_upper_case_braces: await sign({ ...good, sub: `{${id}}` }),
    };
    for (const [name, token] of Object.entries(forged)) {
      expect({ name, status: await status(token) }).toEqual({ name, status: 401 });
    }
    expect(await status(await sign(good))).toBe(200); // the control: same claims, properly signed
    tally.notes.push(`${Object.keys(forged).length} forged kinds refused`);
  });

  it('issues HS256 tokens that last exactly what expires_in says, for this service only, at the current version', async () => {
    const { token } = await signUp();
    const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part!, 'base64url').toString()));
    const { issuer, audience, ttlSeconds } = getConfig().jwt;
    expect(header.alg).toBe('HS256');
    expect(payload).toMatchObject({ iss: issuer, aud: audience, ver: 0 });
    expect(payload.exp - payload.iat).toBe(ttlSeconds);
    expect(ttlSeconds).toBe(1800);
  });

  it('takes the scheme in any letter case, as RFC 9110 has it (the API itself answers token_type "bearer")', async () => {
    const { token } = await signUp();
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      const response = await me(new Request('http://localhost/api/me', { headers: { authorization: `${scheme} ${token}` } }));
      expect(response.status, scheme).toBe(200);
    }
  });

  it('refuses a good token sent under another scheme, after other text, or followed by more', async () => {
    const { token } = await signUp();
    for (const authorization of [`MyBearer ${token}`, `Basic x, Bearer ${token}`, `Bearer ${token} extra`, `Bearer ${token}, Bearer ${token}`, `Bearer ${token}\tx`]) {
      const response = await me(new Request('http://localhost/api/me', { headers: { authorization } }));
      await response.arrayBuffer();
      expect(response.status, authorization.replace(token, '<token>')).toBe(401);
    }
  });

  it("refuses a deleted user's and a blocked user's token", async () => {
    const deleted = await signUp();
    const blocked = await signUp();
    const db = await getDb();
    await db.delete(users).where(eq(users.id, deleted.id));
    await db.update(users).set({ isBlocked: true }).where(eq(users.id, blocked.id));
    expect(await status(deleted.token)).toBe(401);
    expect(await status(blocked.token)).toBe(401);
  });

  it('imports the signing key once, and a new SECRET_KEY refuses the old tokens at once', async () => {
    const { account, token } = await signUp();
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    const saved = process.env.SECRET_KEY;
    try {
      for (let i = 0; i < 3; i++) expect(await status(token)).toBe(200);
      expect(importKey).not.toHaveBeenCalled(); // imported when the account signed up
      process.env.SECRET_KEY = 'a-rotated-secret-key-that-is-long-enough-9876543210';
      resetConfig();
      expect(await status(token)).toBe(401);
      const again = await login(jsonRequest('/api/login', { username: account.username, password: account.password }));
      const { access_token } = await again.json();
      expect(await status(access_token)).toBe(200);
      expect(importKey).toHaveBeenCalledTimes(1); // once for the new secret, not per request
    } finally {
      importKey.mockRestore();
      process.env.SECRET_KEY = saved;
      resetConfig();
    }
    expect(await status(token)).toBe(200); // the first secret back: its tokens are good again
  });

  it('refuses every token issued before a password reset, and accepts the ones after', async () => {
    const { account, token } = await signUp();
    const second = await login(jsonRequest('/api/login', { username: account.username, password: account.password }));
    const { access_token: before } = await second.json();
    expect(await status(before)).toBe(200);
    expect((await forgotPassword(jsonRequest('/api/forgot-password', { email: account.email }))).status).toBe(202);
    await settleBackground();
    const otp = await latestCode(getConfig().outboxDir, account.email);
    const reset = await resetPassword(jsonRequest('/api/reset-password', { email: account.email, otp, new_password: 'a brand new password' }));
    expect(reset.status).toBe(200);
    expect(await status(token)).toBe(401);
    expect(await status(before)).toBe(401);
    const after = await login(jsonRequest('/api/login', { username: account.username, password: 'a brand new password' }));
    expect(await status((await after.json()).access_token)).toBe(200);
  });
});
