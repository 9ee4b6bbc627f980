import { createHmac, randomBytes } from 'node:crypto';
import { eq } from '../vendor/drizzle/index.mjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as forgot } from '../api/forgot-password.js';
import { POST as login } from '../api/login.js';
import { GET as me } from '../api/me.js';
import { POST as register } from '../api/register.js';
import { POST as reset } from '../api/reset-password.js';
import { settleBackground } from '../lib/background.js';
import { getConfig, resetConfig } from '../lib/config.js';
import { getDb } from '../lib/db/client.js';
import { users } from '../lib/db/schema.js';
import { issueOtp, verifyOtp } from '../lib/otp.js';
import { getStore, resetStore } from '../lib/store.js';
import { useDatabase } from './support/database.js';
import { bearerRequest, jsonRequest, newAccount, problemOf } from './support/http.js';
import { codeIn, latestCode, outboxMessages, recipient } from './support/outbox.js';
import { freshWindow } from './support/windows.js';
import { startUpstashRest } from './support/upstash-rest.js';

export type Backend = 'in-process' | 'redis';

const randomIp = () => `10.${[1, 2, 3].map(() => randomBytes(1)[0]).join('.')}`;
const from = (ip: string) => ({ headers: { 'x-real-ip': ip } });

/** Sets variables for one test; restored (and the configuration re-read) after it. */
const overridden = new Map<string, string | undefined>();
function setEnv(vars: Record<string, string>): void {
  for (const [name, value] of Object.entries(vars)) {
    if (!overridden.has(name)) overridden.set(name, process.env[name]);
    process.env[name] = value;
  }
  resetConfig();
}

async function signUp() {
  const account = newAccount();
  const response = await register(jsonRequest('/api/register', account, from(randomIp())));
  expect(response.status).toBe(201);
  return { account, token: (await response.json()).access_token as string };
}

async function requestCode(email: string): Promise<string> {
  const response = await forgot(jsonRequest('/api/forgot-password', { email }, from(randomIp())));
  expect(response.status).toBe(202);
  await settleBackground();
  return latestCode(getConfig().outboxDir, email);
}

const resetWith = (email: string, otp: string, new_password = 'a brand new password') =>
  reset(jsonRequest('/api/reset-password', { email, otp, new_password }));
const loginAs = (username: string, password: string, ip = randomIp()) =>
  login(jsonRequest('/api/login', { username, password }, from(ip)));
const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

/** Every reset code in the outbox for `email` (mails written in the same millisecond sort either way). */
async function codesMailedTo(email: string): Promise<string[]> {
  return (await outboxMessages(getConfig().outboxDir)).filter((m) => recipient(m) === email).map((m) => codeIn(m)!);
}

async function userRow(email: string) {
  const db = await getDb();
  const [row] = await db.select().from(users).where(eq(users.email, email));
  return row!;
}

/**
 * Password reset and rate limits, through the handlers, on one store backend: the in-process
 * store, or the real @upstash/redis and @upstash/ratelimit on Redis via the Upstash REST server.
 */
export function definePasswordResetSuite(backend: Backend, enabled: boolean): void {
  describe.skipIf(!enabled)(`password reset and rate limits on ${backend}`, () => {
    let cleanup: () => Promise<void> = async () => {};
    let closeRest: () => Promise<void> = async () => {};
    beforeAll(async () => {
      cleanup = await useDatabase('pglite');
      const vars: Record<string, string> = { REDIS_KEY_PREFIX: `test-${randomBytes(6).toString('hex')}:` };
      if (backend === 'redis') {
        const rest = await startUpstashRest();
        closeRest = rest.close;
        Object.assign(vars, { UPSTASH_REDIS_REST_URL: rest.url, UPSTASH_REDIS_REST_TOKEN: rest.token });
      }
      Object.assign(process.env, vars);
      resetConfig();
      resetStore();
    });
    afterEach(async () => {
      await settleBackground(); // no mail of one test lands in the next
      for (const [name, value] of overridden) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      overridden.clear();
      resetConfig();
    });
    afterAll(async () => {
      resetStore();
      await closeRest();
      await cleanup();
    });

    it('resets with the mailed code: old password and old tokens stop working, the owner is told', async () => {
      const { account, token } = await signUp();
      const code = await requestCode(account.email);
      const mail = (await outboxMessages(getConfig().outboxDir)).filter((m) => recipient(m) === account.email).at(-1)!;
      expect(mail.text).toContain('expires in 10 minutes');
      expect(mail.text).toMatch(/did not ask/);
      expect(mail.html).toContain(code);

      const response = await resetWith(account.email, code);
      expect(response.status).toBe(200);
      expect((await loginAs(account.username, account.password)).status).toBe(401);
      expect((await loginAs(account.username, 'a brand new password')).status).toBe(200);
      expect((await me(bearerRequest('/api/me', token))).status).toBe(401);
      expect((await resetWith(account.email, code, 'yet another password')).status).toBe(400);
      // The mailed code proved the mailbox.
      expect((await userRow(account.email)).emailVerified).toBe(true);

      await settleBackground();
      const notices = (await outboxMessages(getConfig().outboxDir)).filter((m) => recipient(m) === account.email && /changed/.test(m.subject ?? ''));
      expect(notices).toHaveLength(1);
    });

    it('answers byte-identical 202 bodies for known and unknown addresses, and mails only the known', async () => {
      const { account } = await signUp();
      const known = await forgot(jsonRequest('/api/forgot-password', { email: account.email }, from(randomIp())));
      const unknown = await forgot(jsonRequest('/api/forgot-password', { email: `nobody-${randomBytes(4).toString('hex')}@example.com` }, from(randomIp())));
      expect([known.status, unknown.status]).toEqual([202, 202]);
      expect(await known.text()).toBe(await unknown.text());
      expect(known.headers.get('content-type')).toBe(unknown.headers.get('content-type'));
      await settleBackground();
      const mails = await outboxMessages(getConfig().outboxDir);
      expect(mails.some((m) => recipient(m) === account.email)).toBe(true);
      expect(mails.some((m) => recipient(m)?.startsWith('nobody-'))).toBe(false);
    });

    it('does the same work before answering for known and unknown addresses: one hand-over to waitUntil each', async () => {
      const { account } = await signUp();
      // The request context Vercel's runtime provides, read by @vercel/functions' waitUntil.
      const context = Symbol.for('@vercel/request-context');
      const handedOver: string[] = [];
      let current = '';
      (globalThis as Record<symbol, unknown>)[context] = { get: () => ({ waitUntil: () => void handedOver.push(current) }) };
      try {
        for (const email of [account.email, `nobody-${randomBytes(4).toString('hex')}@example.com`]) {
          current = email;
          expect((await forgot(jsonRequest('/api/forgot-password', { email }, from(randomIp())))).status).toBe(202);
        }
      } finally {
        delete (globalThis as Record<symbol, unknown>)[context];
      }
      expect(handedOver).toEqual([account.email, expect.stringMatching(/^nobody-/)]);
    });

    it('gives exactly one 200 to 30 concurrent resets with the right code', async () => {
      const { account } = await signUp();
      const code = await requestCode(account.email);
      const before = (await userRow(account.email)).tokenVersion;
      const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => resetWith(account.email, code, `new password number ${i}`)));
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 400)).toHaveLength(29);
      expect((await userRow(account.email)).tokenVersion).toBe(before + 1);
    });

    it('voids the code at the fifth wrong guess even if the right one follows; four are survivable', async () => {
      const { account } = await signUp();
      let code = await requestCode(account.email);
      for (let i = 0; i < 4; i++) expect((await resetWith(account.email, wrongCode(code))).status).toBe(400);
      expect((await resetWith(account.email, code)).status).toBe(200);

      code = await requestCode(account.email);
      for (let i = 0; i < 5; i++) expect((await resetWith(account.email, wrongCode(code))).status).toBe(400);
      const afterVoid = await resetWith(account.email, code, 'another fresh password');
      expect(afterVoid.status).toBe(400);
      expect((await problemOf(afterVoid)).type).toBe('urn:problem:invalid_code');
    });

    it('refuses an expired code with the same 400 (the mail said how long it lasts: OTP_TTL_SECONDS)', async () => {
      setEnv({ OTP_TTL_SECONDS: '1' });
      const { account } = await signUp();
      const code = await requestCode(account.email);
      const mail = (await outboxMessages(getConfig().outboxDir)).filter((m) => recipient(m) === account.email).at(-1)!;
      expect(mail.text).toContain('expires in 1 second.');
      await new Promise((r) => setTimeout(r, 1_300));
      const response = await resetWith(account.email, code);
      expect(response.status).toBe(400);
      const problem = await problemOf(response);
      const wrong = await problemOf(await resetWith(account.email, wrongCode(code)));
      expect(problem).toEqual(wrong);
    });

    it('replaces the earlier code with a new request', async () => {
      const { account } = await signUp();
      const first = await requestCode(account.email);
      let second = await requestCode(account.email);
      while (second === first) second = await requestCode(account.email); // 1 in a million
      expect((await resetWith(account.email, first)).status).toBe(400);
      expect((await resetWith(account.email, second)).status).toBe(200);
    });

    it('answers 403 when the new password is the current one, changing nothing and keeping the code', async () => {
      const { account, token } = await signUp();
      const code = await requestCode(account.email);
      const before = await userRow(account.email);
      const same = await resetWith(account.email, code, account.password);
      expect(same.status).toBe(403);
      expect((await problemOf(same)).type).toBe('urn:problem:password_unchanged');
      expect(await userRow(account.email)).toEqual(before);
      expect((await me(bearerRequest('/api/me', token))).status).toBe(200);
      expect((await resetWith(account.email, code)).status).toBe(200);
    });

    it('answers a wrong code with 400 even when the new password is the current one (a 403 would test passwords for anyone)', async () => {
      const { account } = await signUp();
      const code = await requestCode(account.email);
      const wrong = await resetWith(account.email, wrongCode(code), account.password);
      expect(wrong.status).toBe(400);
      expect((await problemOf(wrong)).type).toBe('urn:problem:invalid_code');
    });

    it('answers 400 with the current password as the new one when the address has no live code (none asked, used): no password test for accounts at rest, each try a failure', async () => {
      setEnv({ RATE_LIMIT_RESET_FAILURES: '3/1d' });
      const { account } = await signUp();
      // No code was ever asked for this address: most accounts, most of the time.
      for (let i = 0; i < 2; i++) {
        const untouched = await resetWith(account.email, '123456', account.password);
        expect(untouched.status).toBe(400);
        expect((await problemOf(untouched)).type).toBe('urn:problem:invalid_code');
      }
      // A code used up: no more live than none.
      setEnv({ RATE_LIMIT_RESET_FAILURES: '100/1d' });
      const code = await requestCode(account.email);
      expect((await resetWith(account.email, code, 'a brand new password')).status).toBe(200);
      const used = await resetWith(account.email, code, 'a brand new password');
      expect(used.status).toBe(400);
      expect((await problemOf(used)).type).toBe('urn:problem:invalid_code');
      // The tries on no code and on the used one counted as failures: past three a day, refused.
      setEnv({ RATE_LIMIT_RESET_FAILURES: '3/1d' });
      expect((await resetWith(account.email, '123456', account.password)).status).toBe(429);
    });

    it('neither mails a blocked account a code nor lets it reset with one', async () => {
      const { account } = await signUp();
      await (await getDb()).update(users).set({ isBlocked: true }).where(eq(users.email, account.email));
      expect((await forgot(jsonRequest('/api/forgot-password', { email: account.email }, from(randomIp())))).status).toBe(202);
      await settleBackground();
      expect((await outboxMessages(getConfig().outboxDir)).filter((m) => recipient(m) === account.email)).toEqual([]);
      const before = await userRow(account.email);
      const refused = await resetWith(account.email, await issueOtp(account.email));
      expect(refused.status).toBe(400);
      expect(await userRow(account.email)).toEqual(before);
      // Refused before any password is judged: its current password as the new one is the same 400
      // (not the 403 "unchanged", which would tell a blocked account's password), and the code is
      // not used up by it.
      const code = await issueOtp(account.email);
      const same = await resetWith(account.email, code, account.password);
      expect(same.status).toBe(400);
      expect((await problemOf(same)).type).toBe('urn:problem:invalid_code');
      expect(await verifyOtp(account.email, code)).toBe(true);
    });

    it('issues and stores a code for an unknown address too (the same Redis write: no timing difference)', async () => {
      const stored = vi.spyOn(getStore(), 'putCode');
      try {
        expect((await forgot(jsonRequest('/api/forgot-password', { email: `nobody-${randomBytes(4).toString('hex')}@example.com` }, from(randomIp())))).status).toBe(202);
        expect(stored).toHaveBeenCalledTimes(1);
      } finally {
        stored.mockRestore();
      }
    });

    it('stores only a digest of the code, under a key that is a digest of the address', async () => {
      const stored = vi.spyOn(getStore(), 'putCode');
      try {
        const email = `digest-${randomBytes(4).toString('hex')}@example.com`;
        const code = await issueOtp(email);
        const [key, value, ttl] = stored.mock.calls[0]!;
        expect(key).toMatch(/^otp:[A-Za-z0-9_-]{43}$/);
        for (const secret of [email, code]) expect(`${key} ${value}`).not.toContain(secret);
        // Keyed by SECRET_KEY (a dump of Redis cannot be searched through 10^6 codes offline), and
        // the code's bound to its address (no address's stored code answers for another's).
        const hmac = (text: string) => createHmac('sha256', getConfig().secretKey).update(text).digest('base64url');
        expect(key).toBe(`otp:${hmac(`otp-key\0${email}`)}`);
        expect(value).toBe(hmac(`otp\0${email}\0${code}`));
        expect(ttl).toBe(600);
      } finally {
        stored.mockRestore();
      }
    });

    it('draws codes of 6 digits over the whole range', async () => {
      const codes = await Promise.all(Array.from({ length: 200 }, (_, i) => issueOtp(`range-${i}-${randomBytes(3).toString('hex')}@example.com`)));
      for (const code of codes) expect(code).toMatch(/^\d{6}$/);
      expect(new Set(codes).size).toBeGreaterThan(190);
      expect(new Set(codes.map((code) => code[0])).size).toBeGreaterThan(5); // not stuck in 000xxx
    });

    it('answers 400 for a code to an unknown address and 422 for a malformed one', async () => {
      expect((await resetWith('nobody-at-all@example.com', '123456')).status).toBe(400);
      const malformed = await resetWith('x@example.com', '12ab56');
      expect(malformed.status).toBe(422);
      expect((await problemOf(malformed)).errors?.[0]?.field).toBe('otp');
    });

    it('refuses a form (a cross-site post needs no preflight) with 415: no code issued, no mail, no slot of the limits spent', async () => {
      setEnv({ RATE_LIMIT_FORGOT_IP: '1/1h', RATE_LIMIT_FORGOT_EMAIL: '1/1h' });
      const { account } = await signUp();
      const ip = randomIp();
      const live = await (async () => {
        const response = await forgot(jsonRequest('/api/forgot-password', { email: account.email }, from(randomIp())));
        expect(response.status).toBe(202);
        await settleBackground();
        return latestCode(getConfig().outboxDir, account.email);
      })();
      setEnv({ RATE_LIMIT_FORGOT_EMAIL: '2/1h' });
      for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=b']) {
        const body = type.startsWith('multipart') ? `--b\r\ncontent-disposition: form-data; name="email"\r\n\r\n${account.email}\r\n--b--\r\n` : type === 'text/plain' ? JSON.stringify({ email: account.email }) : `email=${encodeURIComponent(account.email)}`;
        const refused = await forgot(new Request('http://localhost/api/forgot-password', { method: 'POST', headers: { 'content-type': type, 'x-real-ip': ip, origin: 'https://evil.example' }, body }));
        expect(refused.status, type).toBe(415);
        expect((await problemOf(refused)).type).toBe('urn:problem:unsupported_media_type');
      }
      await settleBackground();
      expect(await codesMailedTo(account.email)).toEqual([live]);
      // The mailed code was not replaced, and neither limit spent a slot: the same IP and address still get one each.
      expect((await resetWith(account.email, live)).status).toBe(200);
      expect((await forgot(jsonRequest('/api/forgot-password', { email: account.email }, from(ip)))).status).toBe(202);
    });

    it('limits forgot-password to 3 per hour per email with a 429 carrying Retry-After and RateLimit-*', async () => {
      setEnv({ RATE_LIMIT_FORGOT_EMAIL: '3/1h' });
      const { account } = await signUp();
      let live = '';
      for (let i = 0; i < 3; i++) {
        const mailed = new Set(await codesMailedTo(account.email));
        expect((await forgot(jsonRequest('/api/forgot-password', { email: account.email }, from(randomIp())))).status).toBe(202);
        await settleBackground();
        live = (await codesMailedTo(account.email)).find((code) => !mailed.has(code)) ?? live;
      }
      const refused = await forgot(jsonRequest('/api/forgot-password', { email: account.email }, from(randomIp())));
      expect(refused.status).toBe(429);
      expect((await problemOf(refused)).type).toBe('urn:problem:rate_limited');
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(3600);
      expect(refused.headers.get('ratelimit-limit')).toBe('3');
      expect(refused.headers.get('ratelimit-remaining')).toBe('0');
      expect(refused.headers.get('ratelimit-reset')).toBe(String(retryAfter));
      const other = await forgot(jsonRequest('/api/forgot-password', { email: `other-${account.email}` }, from(randomIp())));
      expect(other.status).toBe(202);
      // The refused request replaced nothing: the code mailed last still works.
      expect((await resetWith(account.email, live)).status).toBe(200);
    });

    it('limits forgot-password per IP and reset-password per email', async () => {
      setEnv({ RATE_LIMIT_FORGOT_IP: '2/1h', RATE_LIMIT_RESET_EMAIL: '2/15m' });
      const ip = randomIp();
      const statuses = [];
      for (let i = 0; i < 3; i++) {
        statuses.push((await forgot(jsonRequest('/api/forgot-password', { email: `ip-${i}-${ip}@example.com` }, from(ip)))).status);
      }
      expect(statuses).toEqual([202, 202, 429]);
      const email = `reset-${randomBytes(4).toString('hex')}@example.com`;
      expect([(await resetWith(email, '000000')).status, (await resetWith(email, '000000')).status]).toEqual([400, 400]);
      expect((await resetWith(email, '000000')).status).toBe(429);
    });

    it("spends none of an address's forgot-password budget on requests its IP limit refused (no code, no cost)", async () => {
      setEnv({ RATE_LIMIT_FORGOT_IP: '2/1h', RATE_LIMIT_FORGOT_EMAIL: '3/1h' });
      const { account } = await signUp();
      const stranger = randomIp();
      for (let i = 0; i < 2; i++) await forgot(jsonRequest('/api/forgot-password', { email: `spent-${i}-${stranger}@example.com` }, from(stranger)));
      for (let i = 0; i < 5; i++) expect((await forgot(jsonRequest('/api/forgot-password', { email: account.email }, from(stranger)))).status).toBe(429);
      await settleBackground();
      expect(await codesMailedTo(account.email)).toEqual([]);
      // The owner still has the address's whole budget, and the last code mailed works.
      const statuses = [];
      for (let i = 0; i < 4; i++) {
        statuses.push((await forgot(jsonRequest('/api/forgot-password', { email: account.email }, from(randomIp())))).status);
        await settleBackground(); // each code mailed before the next replaces it, so the newest mail holds the live one
      }
      expect(statuses).toEqual([202, 202, 202, 429]);
      expect((await resetWith(account.email, await latestCode(getConfig().outboxDir, account.email))).status).toBe(200);
    });

    it('unlinks a Google identity linked while the email was unproved, and keeps one linked to a proved email', async () => {
      const db = await getDb();
      for (const verified of [false, true]) {
        const { account } = await signUp();
        const sub = `google-${randomBytes(6).toString('hex')}`;
        await db.update(users).set({ googleSub: sub, emailVerified: verified }).where(eq(users.email, account.email));
        expect((await resetWith(account.email, await requestCode(account.email))).status).toBe(200);
        expect((await userRow(account.email)).googleSub).toBe(verified ? sub : null);
      }
    });

    it("spends none of the code's tries on guesses the per-email limit refused", async () => {
      setEnv({ RATE_LIMIT_RESET_EMAIL: '3/15m' });
      const { account } = await signUp();
      const code = await requestCode(account.email);
      const statuses = [];
      for (let i = 0; i < 8; i++) statuses.push((await resetWith(account.email, wrongCode(code))).status);
      expect(statuses).toEqual([400, 400, 400, 429, 429, 429, 429, 429]);
      setEnv({ RATE_LIMIT_RESET_EMAIL: '10/15m' }); // the window has passed, say
      // Three tries were spent, not eight: the code survives one more wrong guess, and then works.
      expect((await resetWith(account.email, wrongCode(code))).status).toBe(400);
      expect((await resetWith(account.email, code)).status).toBe(200);
    });

    it('caps failed resets per address across every code it is sent: past RATE_LIMIT_RESET_FAILURES even the right code waits', async () => {
      setEnv({ RATE_LIMIT_RESET_FAILURES: '7/1d', RATE_LIMIT_FORGOT_EMAIL: '10/1h' });
      const { account } = await signUp();
      const first = await requestCode(account.email);
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await resetWith(account.email, wrongCode(first))).status); // the fifth voids it
      const second = await requestCode(account.email); // five fresh tries for the code, but not for the address
      for (let i = 0; i < 3; i++) statuses.push((await resetWith(account.email, wrongCode(second))).status);
      expect(statuses).toEqual([400, 400, 400, 400, 400, 400, 400, 429]);
      const refused = await resetWith(account.email, second);
      expect(refused.status).toBe(429); // right or wrong alike: the answer tells nothing
      expect((await problemOf(refused)).detail).toMatch(/^Too many failed password resets for this email address\. Try again in \d+ (seconds?|minutes?|hours?)\.$/);
      // The day's window, not a quarter of an hour's: windows are aligned to the clock (UTC days), so
      // Retry-After runs to the end of this UTC day (under an hour late in the day; ">3600" failed then).
      const day = 86_400_000;
      const toDayEnd = (Math.floor(Date.now() / day) + 1) * day - Date.now();
      expect(Math.abs(Number(refused.headers.get('retry-after')) * 1000 - toDayEnd)).toBeLessThan(5_000);
      expect(refused.headers.get('ratelimit-limit')).toBe('7');
      setEnv({ RATE_LIMIT_RESET_FAILURES: '100/1d' }); // the day has passed, say
      // The refusals spent none of the code's tries (two wrong guesses did): it still works.
      expect((await resetWith(account.email, second)).status).toBe(200);
    });

    it('limits reset attempts per client IP, across addresses, and a refused request spends none of the address\'s budgets', async () => {
      setEnv({ RATE_LIMIT_RESET_IP: '2/1h', RATE_LIMIT_RESET_EMAIL: '2/15m', RATE_LIMIT_RESET_FAILURES: '2/1d' });
      const { account } = await signUp();
      const code = await requestCode(account.email);
      const resetFrom = (ip: string, email: string, otp: string) => reset(jsonRequest('/api/reset-password', { email, otp, new_password: 'a brand new password' }, from(ip)));
      const stranger = randomIp();
      const statuses = [];
      for (let i = 0; i < 2; i++) statuses.push((await resetFrom(stranger, `someone-${i}-${randomBytes(3).toString('hex')}@example.com`, '000000')).status);
      // Over its own limit now: guesses at the owner's address are refused before they are judged.
      for (let i = 0; i < 5; i++) statuses.push((await resetFrom(stranger, account.email, wrongCode(code))).status);
      expect(statuses).toEqual([400, 400, 429, 429, 429, 429, 429]);
      await settleBackground(); // the refused requests' slots of the address go back after their responses
      const refused = await resetFrom(stranger, account.email, wrongCode(code));
      expect((await problemOf(refused)).detail).toMatch(/^Too many password reset attempts from this address\./);
      await settleBackground();
      // The owner, elsewhere, still has the address's two attempts and two failures, and the code all its tries.
      expect((await resetFrom(randomIp(), account.email, wrongCode(code))).status).toBe(400);
      expect((await resetFrom(randomIp(), account.email, code)).status).toBe(200);
    });

    it('counts as failures the 403 (the right code testing the current password), not a success', async () => {
      setEnv({ RATE_LIMIT_RESET_FAILURES: '2/1d', RATE_LIMIT_FORGOT_EMAIL: '10/1h' });
      const { account } = await signUp();
      let password = account.password;
      for (let i = 0; i < 3; i++) {
        // Three successes on a limit of two failures: each gives its slot back after the response.
        password = `a brand new password ${i}`;
        expect((await resetWith(account.email, await requestCode(account.email), password)).status).toBe(200);
        await settleBackground();
      }
      const code = await requestCode(account.email);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await resetWith(account.email, code, password)).status);
      expect(statuses).toEqual([403, 403, 429]);
      expect((await loginAs(account.username, password)).status).toBe(200); // nothing changed
    });

    it('lets exactly N of 100 concurrent logins from one IP through a limit of N', async () => {
      setEnv({ RATE_LIMIT_LOGIN_IP: '7/1m' });
      await freshWindow(60_000);
      const { account } = await signUp();
      const ip = randomIp();
      const responses = await Promise.all(Array.from({ length: 100 }, () => loginAs(account.username, account.password, ip)));
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(7);
      expect(statuses.filter((s) => s === 429)).toHaveLength(93);
      expect((await loginAs(account.username, account.password)).status).toBe(200); // another IP
    });

    it('counts only failures per account, then refuses even the right password for the window', async () => {
      setEnv({ RATE_LIMIT_LOGIN_ACCOUNT: '3/15m' });
      const { account } = await signUp();
      for (let i = 0; i < 5; i++) {
        expect((await loginAs(account.username, account.password)).status).toBe(200);
        await settleBackground(); // the success gives its reserved slot back after the response
      }
      for (let i = 0; i < 3; i++) expect((await loginAs(account.username, 'wrong password')).status).toBe(401);
      const locked = await loginAs(account.username.toUpperCase(), account.password);
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeLessThanOrEqual(15 * 60);
    });

    it('does not count logins the per-IP limit refused against the account, which stays open elsewhere', async () => {
      setEnv({ RATE_LIMIT_LOGIN_IP: '2/1m', RATE_LIMIT_LOGIN_ACCOUNT: '3/15m' });
      await freshWindow(60_000);
      const { account } = await signUp();
      const crowded = randomIp(); // a shared address whose budget others used up
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await loginAs(account.username, account.password, crowded)).status);
      expect(statuses).toEqual([200, 200, 429, 429, 429]);
      await settleBackground();
      expect((await loginAs(account.username, account.password)).status).toBe(200);
      for (let i = 0; i < 3; i++) expect((await loginAs(account.username, 'wrong password')).status).toBe(401);
      expect((await loginAs(account.username, account.password)).status).toBe(429);
    });

    it('shares one failure budget between the username and the email of an account', async () => {
      setEnv({ RATE_LIMIT_LOGIN_ACCOUNT: '4/15m' });
      const { account } = await signUp();
      for (const name of [account.username, account.email, account.username.toUpperCase(), account.email]) {
        expect((await loginAs(name, 'wrong password')).status).toBe(401);
        await settleBackground(); // the failure is counted under the other name after the response
      }
      expect((await loginAs(account.username, account.password)).status).toBe(429);
      expect((await loginAs(account.email, account.password)).status).toBe(429);
    });

    it('keeps the per-account failure limit exact under a concurrent burst of guesses', async () => {
      setEnv({ RATE_LIMIT_LOGIN_ACCOUNT: '5/15m' });
      const { account } = await signUp();
      // From many addresses at once, so the per-IP limit is not what stops them.
      const responses = await Promise.all(Array.from({ length: 40 }, () => loginAs(account.username, 'a wrong guess', randomIp())));
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 401)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(35);
    });

    it('limits register per IP', async () => {
      setEnv({ RATE_LIMIT_REGISTER_IP: '2/1h' });
      const ip = randomIp();
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await register(jsonRequest('/api/register', newAccount(), from(ip)))).status);
      expect(statuses).toEqual([201, 201, 429]);
      // Refused sign-ups count too: the limit comes before the body is read.
      const other = randomIp();
      const invalid = [];
      for (let i = 0; i < 3; i++) invalid.push((await register(jsonRequest('/api/register', { username: 'x' }, from(other)))).status);
      expect(invalid).toEqual([422, 422, 429]);
    });

    it('keeps each limit in its own bucket: reset requests for an address do not spend its sign-in budget', async () => {
      // The same rule for both, so that only the limit's name in the key keeps them apart.
      setEnv({ RATE_LIMIT_FORGOT_EMAIL: '3/1h', RATE_LIMIT_LOGIN_ACCOUNT: '3/1h' });
      const { account } = await signUp();
      for (let i = 0; i < 3; i++) expect((await forgot(jsonRequest('/api/forgot-password', { email: account.email }, from(randomIp())))).status).toBe(202);
      await settleBackground();
      expect((await loginAs(account.email, account.password)).status).toBe(200);
    });
  });
}
