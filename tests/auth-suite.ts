import bcrypt from 'bcryptjs';
import { count, eq } from '../vendor/drizzle/index.mjs';
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as login } from '../api/login.js';
import { GET as me } from '../api/me.js';
import { POST as register } from '../api/register.js';
import { resetConfig } from '../lib/config.js';
import { getDb } from '../lib/db/client.js';
import { users } from '../lib/db/schema.js';
import { replacePassword, upgradePasswordHash } from '../lib/users.js';
import { useDatabase, type TestDriver } from './support/database.js';
import { bearerRequest, formRequest, jsonRequest, newAccount, problemOf } from './support/http.js';
import { multipart } from './support/multipart.js';

const SECRET = () => new TextEncoder().encode(process.env.SECRET_KEY!);

async function userCount(): Promise<number> {
  const db = await getDb();
  const [row] = await db.select({ n: count() }).from(users);
  return Number(row!.n);
}

async function signUp(overrides: Record<string, unknown> = {}) {
  const account = newAccount(overrides);
  const response = await register(jsonRequest('/api/register', account));
  expect(response.status).toBe(201);
  const body = await response.json();
  return { account, body, token: body.access_token as string };
}

function claimsToken(claims: Record<string, unknown>, options: { key?: Uint8Array; exp?: string | number } = {}) {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (options.exp !== undefined) jwt.setExpirationTime(options.exp);
  return jwt.sign(options.key ?? SECRET());
}

/**
 * The account endpoints, called as handlers with Web Requests, against one database driver.
 * The same suite runs on PGlite, node-postgres and the Neon driver.
 */
export function defineAuthSuite(driver: TestDriver, enabled: boolean): void {
  describe.skipIf(!enabled)(`accounts on ${driver}`, () => {
    let cleanup: () => Promise<void> = async () => {};
    beforeAll(async () => {
      cleanup = await useDatabase(driver);
    });
    afterAll(() => cleanup());

    describe('register', () => {
      it('creates the user, signs them in, and never shows a hash', async () => {
        const { account, body } = await signUp({ email: 'Mixed.Case@Example.COM', full_name: 'Ada Lovelace' });
        expect(body).toMatchObject({
          token_type: 'bearer',
          expires_in: 1800,
          user: { username: account.username, email: 'mixed.case@example.com', full_name: 'Ada Lovelace', avatar_url: null, email_verified: false },
        });
        expect(body.user.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(Object.keys(body.user).sort()).toEqual(['avatar_url', 'created_at', 'email', 'email_verified', 'full_name', 'id', 'username']);
        expect(JSON.stringify(body)).not.toContain('$2');
        const profile = await me(bearerRequest('/api/me', body.access_token));
        expect(profile.status).toBe(200);
        expect(await profile.json()).toEqual(body.user);
      });

      it('stores an empty full_name as none (null), as PATCH /api/me does', async () => {
        const { body, token } = await signUp({ full_name: '' });
        expect(body.user.full_name).toBeNull();
        expect((await (await me(bearerRequest('/api/me', token))).json()).full_name).toBeNull();
        // Spaces around a name are not part of it; a name of spaces only is none.
        expect((await signUp({ full_name: '  Ada Lovelace ' })).body.user.full_name).toBe('Ada Lovelace');
        expect((await signUp({ full_name: '   ' })).body.user.full_name).toBeNull();
      });

      it('drops spaces around a username or an email, at sign-up and at login (a phone keyboard leaves one after an address)', async () => {
        const account = newAccount();
        const response = await register(jsonRequest('/api/register', { ...account, username: ` ${account.username}  `, email: `\t${account.email.toUpperCase()} ` }));
        expect(response.status).toBe(201);
        const { user } = await response.json();
        expect(user).toMatchObject({ username: account.username, email: account.email.toLowerCase() });
        for (const name of [` ${account.email} `, `${account.username} `]) {
          expect((await login(jsonRequest('/api/login', { username: name, password: account.password }))).status, name).toBe(200);
          expect((await login(formRequest('/api/login', { username: name, password: account.password }))).status, name).toBe(200);
        }
        // The password is taken exactly as typed: a space is part of it.
        expect((await login(jsonRequest('/api/login', { username: account.username, password: ` ${account.password}` }))).status).toBe(401);
        // Still a 409 in any spacing, and spaces alone are no name.
        expect((await register(jsonRequest('/api/register', newAccount({ email: ` ${account.email}` })))).status).toBe(409);
        const blank = await register(jsonRequest('/api/register', newAccount({ username: '     ' })));
        expect((await problemOf(blank)).errors).toEqual([{ field: 'username', message: 'At least 3 characters.' }]);
      });

      it('refuses a taken username or email in any letter case with 409, writing nothing', async () => {
        const { account } = await signUp();
        const before = await userCount();
        for (const clash of [
          { username: account.username.toUpperCase() },
          { email: account.email.toUpperCase() },
        ]) {
          const response = await register(jsonRequest('/api/register', newAccount(clash)));
          expect(response.status).toBe(409);
          const problem = await problemOf(response);
          expect(problem.errors?.map((error) => error.field)).toEqual(Object.keys(clash));
        }
        expect(await userCount()).toBe(before);
      });

      it('names both fields in one 409 when the username and the email are both taken, so a form marks them at once', async () => {
        const { account } = await signUp();
        const before = await userCount();
        const response = await register(jsonRequest('/api/register', newAccount({ username: account.username.toUpperCase(), email: account.email.toUpperCase() })));
        expect(response.status).toBe(409);
        const problem = await problemOf(response);
        expect(problem.detail).toBe('That username and email are already taken.');
        expect(problem.errors).toEqual([
          { field: 'username', message: 'Already taken.' },
          { field: 'email', message: 'Already taken.' },
        ]);
        // Each taken by a different account: still both.
        const other = (await signUp()).account;
        const split = await register(jsonRequest('/api/register', newAccount({ username: account.username, email: other.email })));
        expect((await problemOf(split)).errors?.map((error) => error.field)).toEqual(['username', 'email']);
        expect(await userCount()).toBe(before + 1);
      });

      it.each([
        ['username', { username: 'ab' }],
        ['username', { username: 'bad name!' }],
        ['username', { username: 42 }],
        ['username', { username: 'a'.repeat(33) }],
        ['username', { username: 'ada lovelace' }],
        ['email', { email: 'not-an-email' }],
        ['email', { email: 'ada@example.c' }], // a one-letter top-level domain
        ['email', { email: `${'a'.repeat(60)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.example.com` }], // 255 characters
        ['password', { password: 'short' }],
        ['password', { password: '1234567' }], // 7 bytes, one short
        ['password', { password: 'a'.repeat(73) }],
        ['password', { password: 'é'.repeat(36) + 'a' }], // 73 bytes, 37 characters
        ['full_name', { full_name: 'x'.repeat(101) }],
        ['full_name', { full_name: 'Ada\nLovelace' }],
        ['full_name', { full_name: 'Ada \u202egnp.exe' }], // a right-to-left override
        ['full_name', { full_name: 'Ada\u2028Lovelace' }], // a line separator
        ['full_name', { full_name: 'Ada \u200fLovelace' }], // a right-to-left mark
        ['full_name', { full_name: 'Ada \u061cLovelace' }], // an Arabic letter mark
        ['full_name', { full_name: 'Ada \u2067Lovelace' }], // a right-to-left isolate
        ['full_name', { full_name: 'Ada\u0085Lovelace' }], // a C1 control (next line)
        ['is_admin', { is_admin: true }],
      ])('answers 422 naming %s for %j, writing nothing', async (field, patch) => {
        const before = await userCount();
        const response = await register(jsonRequest('/api/register', newAccount(patch)));
        expect(response.status).toBe(422);
        const problem = await problemOf(response);
        expect(problem.errors?.map((e) => e.field)).toContain(field);
        expect(await userCount()).toBe(before);
      });

      it('names every missing field, and every unknown one, in words for a person', async () => {
        const response = await register(jsonRequest('/api/register', { is_admin: true, role: 'admin', username: 42 }));
        expect(response.status).toBe(422);
        const errors = (await problemOf(response)).errors!.sort((a, b) => a.field.localeCompare(b.field));
        expect(errors).toEqual([
          { field: 'email', message: 'Required.' },
          { field: 'is_admin', message: 'Unknown field.' },
          { field: 'password', message: 'Required.' },
          { field: 'role', message: 'Unknown field.' },
          { field: 'username', message: 'Must be a string.' }, // present, of the wrong type
        ]);
      });

      it("says what is wrong with a field in words a frontend can show as they are, not zod's", async () => {
        const before = await userCount();
        const response = await register(jsonRequest('/api/register', { username: 'ab', email: 'not an address', password: 'x'.repeat(7) }));
        expect(response.status).toBe(422);
        const errors = (await problemOf(response)).errors!.sort((a, b) => a.field.localeCompare(b.field));
        expect(errors).toEqual([
          { field: 'email', message: 'Must be an email address.' },
          { field: 'password', message: 'Must be at least 8 characters.' }, // the schema's own message wins
          { field: 'username', message: 'At least 3 characters.' },
        ]);
        const long = await register(jsonRequest('/api/register', { username: 'a'.repeat(33), email: 'ada@example.com', password: 'long enough', full_name: true }));
        expect((await problemOf(long)).errors!.sort((a, b) => a.field.localeCompare(b.field))).toEqual([
          { field: 'full_name', message: 'Must be a string.' },
          { field: 'username', message: 'At most 32 characters.' },
        ]);
        expect(await userCount()).toBe(before);
      });

      it('takes a password typed as composed or as decomposed characters as the same password (NFC)', async () => {
        const composed = 'Passwört-Ünïcode'.normalize('NFC');
        const decomposed = composed.normalize('NFD');
        expect(decomposed).not.toBe(composed);
        const { account } = await signUp({ password: decomposed });
        expect((await login(jsonRequest('/api/login', { username: account.username, password: composed }))).status).toBe(200);
        expect((await login(formRequest('/api/login', { username: account.username, password: decomposed }))).status).toBe(200);
        expect((await login(jsonRequest('/api/login', { username: account.username, password: 'Passwort-Unicode' }))).status).toBe(401);
      });

      it('accepts a password of exactly 8 characters, the shortest allowed, counted as a person sees them (not bytes, not UTF-16 units)', async () => {
        const { account } = await signUp({ password: '12345678' });
        expect((await login(jsonRequest('/api/login', { username: account.username, password: '12345678' }))).status).toBe(200);
        const emoji = '🔑'.repeat(8); // 8 characters, 16 UTF-16 units, 32 bytes
        expect((await signUp({ password: emoji })).body.user).toBeDefined();
        const before = await userCount();
        for (const short of ['ääää', '🔑'.repeat(7), '1234567']) {
          // 8 bytes / 14 UTF-16 units / 7 bytes, but 4, 7 and 7 characters.
          const refused = await register(jsonRequest('/api/register', newAccount({ password: short })));
          expect(refused.status, short).toBe(422);
          expect((await problemOf(refused)).errors, short).toEqual([{ field: 'password', message: 'Must be at least 8 characters.' }]);
        }
        expect(await userCount()).toBe(before);
      });

      it('accepts a password of exactly 72 bytes, and its 73-byte extension does not log in', async () => {
        const password = 'ü'.repeat(36); // 72 bytes
        const { account } = await signUp({ password });
        const ok = await login(jsonRequest('/api/login', { username: account.username, password }));
        expect(ok.status).toBe(200);
        const longer = await login(jsonRequest('/api/login', { username: account.username, password: password + 'x' }));
        expect(longer.status).toBe(401);
      });

      it('answers 400 to malformed JSON, 415 to another content type, 413 past the size limit', async () => {
        const before = await userCount();
        const malformed = await register(jsonRequest('/api/register', '{"username": "x",'));
        expect(malformed.status).toBe(400);
        await problemOf(malformed);
        const text = await register(new Request('http://localhost/api/register', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(newAccount()) }));
        expect(text.status).toBe(415);
        await problemOf(text);
        const huge = await register(jsonRequest('/api/register', newAccount({ full_name: 'x'.repeat(20_000) })));
        expect(huge.status).toBe(413);
        await problemOf(huge);
        expect(await userCount()).toBe(before);
      });

      it('lets exactly one of 20 concurrent sign-ups with the same username win', async () => {
        const username = newAccount().username;
        const responses = await Promise.all(
          Array.from({ length: 20 }, () => register(jsonRequest('/api/register', newAccount({ username })))),
        );
        const statuses = responses.map((r) => r.status).sort();
        expect(statuses.filter((s) => s === 201)).toHaveLength(1);
        expect(statuses.filter((s) => s === 409)).toHaveLength(19);
        const db = await getDb();
        const [row] = await db.select({ n: count() }).from(users).where(eq(users.username, username));
        expect(Number(row!.n)).toBe(1);
      });
    });

    describe('login', () => {
      it('accepts the username or the email, as JSON or as the OAuth2 password form', async () => {
        const { account } = await signUp();
        for (const request of [
          jsonRequest('/api/login', { username: account.username, password: account.password }),
          jsonRequest('/api/login', { username: account.email.toUpperCase(), password: account.password }),
          formRequest('/api/login', { grant_type: 'password', username: account.username, password: account.password, scope: '' }),
        ]) {
          const response = await login(request);
          expect(response.status).toBe(200);
          const body = await response.json();
          expect(body).toMatchObject({ token_type: 'bearer', expires_in: 1800 });
          expect((await me(bearerRequest('/api/me', body.access_token))).status).toBe(200);
        }
      });

      it('answers one identical 401 for a wrong password and for an unknown user', async () => {
        const { account } = await signUp();
        const wrong = await login(jsonRequest('/api/login', { username: account.username, password: 'wrong password' }));
        const unknown = await login(jsonRequest('/api/login', { username: 'nobody_here', password: 'wrong password' }));
        expect(wrong.status).toBe(401);
        expect(unknown.status).toBe(401);
        expect(await wrong.text()).toBe(await unknown.text());
      });

      it('answers a blocked account and a Google-only one (no password) with that same 401, even with the right password', async () => {
        const db = await getDb();
        const { account } = await signUp();
        const reference = await (await login(jsonRequest('/api/login', { username: account.username, password: 'wrong password' }))).text();
        const blocked = await signUp();
        await db.update(users).set({ isBlocked: true }).where(eq(users.id, blocked.body.user.id));
        const right = await login(jsonRequest('/api/login', { username: blocked.account.username, password: blocked.account.password }));
        expect(right.status).toBe(401);
        expect(await right.text()).toBe(reference); // else passwords could be tested against blocked accounts
        const googleOnly = await signUp();
        await db.update(users).set({ passwordHash: null, googleSub: `google-${googleOnly.body.user.id}` }).where(eq(users.id, googleOnly.body.user.id));
        const any = await login(jsonRequest('/api/login', { username: googleOnly.account.email, password: googleOnly.account.password }));
        expect(any.status).toBe(401);
        expect(await any.text()).toBe(reference);
      });

      it('re-hashes a password stored at a lower cost', async () => {
        const { account, body } = await signUp();
        process.env.BCRYPT_COST = '5';
        resetConfig();
        try {
          const response = await login(jsonRequest('/api/login', { username: account.username, password: account.password }));
          expect(response.status).toBe(200);
          const db = await getDb();
          const [row] = await db.select().from(users).where(eq(users.id, body.user.id));
          expect(bcrypt.getRounds(row!.passwordHash!)).toBe(5);
          expect(await bcrypt.compare(account.password, row!.passwordHash!)).toBe(true);
        } finally {
          process.env.BCRYPT_COST = '4';
          resetConfig();
        }
      });

      it('leaves a hash at the current cost, or at a higher one, as it is (no rewrite, no downgrade)', async () => {
        const db = await getDb();
        const hashOf = async (id: string) => (await db.select().from(users).where(eq(users.id, id)))[0]!.passwordHash!;
        const { account, body } = await signUp();
        const atCost = await hashOf(body.user.id);
        expect((await login(jsonRequest('/api/login', { username: account.username, password: account.password }))).status).toBe(200);
        expect(await hashOf(body.user.id)).toBe(atCost);
        const higher = await bcrypt.hash(account.password, 5);
        await db.update(users).set({ passwordHash: higher }).where(eq(users.id, body.user.id));
        expect((await login(jsonRequest('/api/login', { username: account.username, password: account.password }))).status).toBe(200);
        expect(await hashOf(body.user.id)).toBe(higher);
      });

      it('a re-hash that finishes after a password reset does not bring the old password back', async () => {
        const { body } = await signUp();
        const db = await getDb();
        const [before] = await db.select().from(users).where(eq(users.id, body.user.id));
        const fromReset = await bcrypt.hash('the new password', 4);
        await replacePassword(body.user.id, body.user.email, fromReset); // lands while the login re-hashes
        await upgradePasswordHash(body.user.id, before!.passwordHash!, await bcrypt.hash('the old password', 5));
        const [after] = await db.select().from(users).where(eq(users.id, body.user.id));
        expect(after!.passwordHash).toBe(fromReset);
        // Without a reset in between, the upgrade is written.
        const upgraded = await bcrypt.hash('the new password', 5);
        await upgradePasswordHash(body.user.id, fromReset, upgraded);
        const [last] = await db.select().from(users).where(eq(users.id, body.user.id));
        expect(last!.passwordHash).toBe(upgraded);
      });

      it('refuses a blocked user at login and refuses their existing tokens', async () => {
        const { account, body, token } = await signUp();
        const db = await getDb();
        await db.update(users).set({ isBlocked: true }).where(eq(users.id, body.user.id));
        const response = await login(jsonRequest('/api/login', { username: account.username, password: account.password }));
        expect(response.status).toBe(401);
        expect((await me(bearerRequest('/api/me', token))).status).toBe(401);
      });

      it('answers 422, not a database error, for a NUL character in any field (found by the fuzzer)', async () => {
        const login422 = await login(jsonRequest('/api/login', { username: 'a\u0000b', password: 'whatever password' }));
        expect(login422.status).toBe(422);
        expect((await problemOf(login422)).errors?.[0]?.field).toBe('username');
        const before = await userCount();
        const register422 = await register(jsonRequest('/api/register', newAccount({ full_name: 'Ada\u0000' })));
        expect(register422.status).toBe(422);
        expect(await userCount()).toBe(before);
      });

      it('answers 422 for a lone UTF-16 surrogate (Neon refuses it in a parameter), and takes an emoji', async () => {
        const login422 = await login(jsonRequest('/api/login', { username: 'a\ud800', password: 'whatever password' }));
        expect(login422.status).toBe(422);
        expect((await problemOf(login422)).errors?.[0]).toMatchObject({ field: 'username', message: expect.stringMatching(/well-formed/) });
        const before = await userCount();
        expect((await register(jsonRequest('/api/register', newAccount({ full_name: 'Ada \udc00' })))).status).toBe(422);
        expect(await userCount()).toBe(before);
        const emoji = await register(jsonRequest('/api/register', newAccount({ full_name: 'Ada 😀' })));
        expect(emoji.status).toBe(201);
        expect((await emoji.json()).user.full_name).toBe('Ada 😀');
      });

      it('answers 422 for a missing password and 415 for multipart', async () => {
        expect((await login(jsonRequest('/api/login', { username: 'x' }))).status).toBe(422);
        expect((await login(new Request('http://localhost/api/login', { method: 'POST', body: multipart([['username', 'x']]) }))).status).toBe(415);
      });
    });

    describe('me: refused tokens', () => {
      it('refuses a missing header, a tampered, expired, unsigned or wrongly signed token', async () => {
        const { token, body } = await signUp();
        const sub = body.user.id as string;
        const good = { sub, ver: 0, iss: 'auth-service', aud: 'auth-service-clients' };
        const [h, p, s] = token.split('.');
        const tampered = `${h}.${Buffer.from(JSON.stringify({ ...good, sub: '00000000-0000-0000-0000-000000000000', exp: 9999999999 })).toString('base64url')}.${s}`;
        const { privateKey, publicKey } = await generateKeyPair('RS256');
        const rs256 = await new SignJWT(good).setProtectedHeader({ alg: 'RS256' }).setIssuedAt().setExpirationTime('5m').sign(privateKey);
        // HS256 signed with the RSA public key's JWK text: the classic algorithm-confusion forgery.
        const confused = await claimsToken(good, { key: new TextEncoder().encode(JSON.stringify(await exportJWK(publicKey))), exp: '5m' });
        const cases: Record<string, string | null> = {
          missing: null,
          tampered,
          truncated: `${h}.${p}`,
          expired: await claimsToken(good, { exp: Math.floor(Date.now() / 1000) - 60 }),
          alg_none: new UnsecuredJWT({ ...good, exp: 9999999999 }).setIssuedAt().encode(),
          wrong_key: await claimsToken(good, { key: new TextEncoder().encode('another-key-that-is-also-long-enough!!'), exp: '5m' }),
          wrong_issuer: await claimsToken({ ...good, iss: 'someone-else' }, { exp: '5m' }),
          wrong_audience: await claimsToken({ ...good, aud: 'someone-else' }, { exp: '5m' }),
          missing_sub: await claimsToken({ ...good, sub: undefined }, { exp: '5m' }),
          old_version: await claimsToken({ ...good, ver: -1 }, { exp: '5m' }),
          not_a_uuid: await claimsToken({ ...good, sub: 'admin' }, { exp: '5m' }),
          rs256,
          confused,
        };
        for (const [name, value] of Object.entries(cases)) {
          const request = value === null ? new Request('http://localhost/api/me') : bearerRequest('/api/me', value);
          const response = await me(request);
          expect({ name, status: response.status }).toEqual({ name, status: 401 });
          // RFC 6750: a refused token is named in the challenge; no token at all is a plain challenge.
          expect(response.headers.get('www-authenticate')).toBe(value === null ? 'Bearer' : 'Bearer error="invalid_token"');
          await problemOf(response);
        }
        // The control: the same claims properly signed are accepted.
        expect((await me(bearerRequest('/api/me', await claimsToken(good, { exp: '5m' })))).status).toBe(200);
        // RFC 7235 allows more than one space after the scheme, and any letter case of it.
        const spaced = new Request('http://localhost/api/me', { headers: { authorization: `bearer   ${await claimsToken(good, { exp: '5m' })}` } });
        expect((await me(spaced)).status).toBe(200);
      });

      it("refuses a deleted user's token", async () => {
        const { token, body } = await signUp();
        const db = await getDb();
        await db.delete(users).where(eq(users.id, body.user.id));
        expect((await me(bearerRequest('/api/me', token))).status).toBe(401);
      });
    });
  });
}
