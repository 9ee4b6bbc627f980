import { randomBytes } from 'node:crypto';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as forgot } from '../api/forgot-password.js';
import { POST as login } from '../api/login.js';
import { PATCH as changeProfile } from '../api/me.js';
import { POST as register } from '../api/register.js';
import { POST as reset } from '../api/reset-password.js';
import { answerFirst, settleBackground } from '../lib/background.js';
import { resetConfig } from '../lib/config.js';
import { sendEmailChangeNotice } from '../lib/email-change-notice.js';
import { resetMail } from '../lib/mail.js';
import { resetStore } from '../lib/store.js';
import { useDatabase } from './support/database.js';
import { jsonRequest, newAccount } from './support/http.js';
import { codeIn, recipient } from './support/outbox.js';
import { startSmtpServer, type TestSmtp } from './support/smtp.js';

describe('mail through a real SMTP server', () => {
  let refuse = false;
  let smtp: TestSmtp;
  let received: ParsedMail[] = [];
  let cleanup: () => Promise<void> = async () => {};

  beforeAll(async () => {
    cleanup = await useDatabase('pglite');
    smtp = await startSmtpServer({ login: { user: 'mailer', pass: 'mail-secret' }, refuses: () => refuse }); // MAIL_USERNAME/MAIL_PASSWORD must be used
    received = smtp.received;
    Object.assign(process.env, {
      ...smtp.env,
      REDIS_KEY_PREFIX: `test-${randomBytes(6).toString('hex')}:`,
    });
    resetConfig();
    resetMail();
    resetStore();
  });
  afterAll(async () => {
    await smtp.close();
    for (const name of Object.keys(smtp.env)) delete process.env[name];
    resetConfig();
    resetMail();
    await cleanup();
  });

  it('delivers a text and HTML reset mail whose code resets the password, then the change notice', async () => {
    const account = newAccount();
    expect((await register(jsonRequest('/api/register', account))).status).toBe(201);
    expect((await forgot(jsonRequest('/api/forgot-password', { email: account.email }))).status).toBe(202);
    await settleBackground();
    const mail = received.find((m) => recipient(m) === account.email)!;
    expect(mail.from?.text).toContain('auth@example.com');
    expect(mail.text).toMatch(/expires in 10 minutes/);
    const code = codeIn(mail)!;
    expect(mail.html).toContain(code);

    const response = await reset(jsonRequest('/api/reset-password', { email: account.email, otp: code, new_password: 'mailed new password' }));
    expect(response.status).toBe(200);
    expect((await login(jsonRequest('/api/login', { username: account.username, password: 'mailed new password' }))).status).toBe(200);
    await settleBackground();
    expect(received.filter((m) => recipient(m) === account.email).map((m) => m.subject)).toEqual([
      'Your password reset code',
      'Your password was changed',
    ]);
  });

  it('tells the old address when the account email is changed, and nobody when it is not', async () => {
    const account = newAccount();
    const signedUp = await register(jsonRequest('/api/register', account));
    expect(signedUp.status).toBe(201);
    const { access_token: token } = await signedUp.json();
    const patch = (body: unknown) => changeProfile(jsonRequest('/api/me', body, { method: 'PATCH', headers: { authorization: `Bearer ${token}` } }));
    expect((await patch({ full_name: 'No mail for this', email: account.email.toUpperCase() })).status).toBe(200);
    await settleBackground();
    expect(received.filter((m) => recipient(m) === account.email)).toEqual([]);

    const newAddress = `moved_${account.email}`;
    const changed = await patch({ email: newAddress });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ email: newAddress, email_verified: false });
    await settleBackground();
    const notices = received.filter((m) => recipient(m) === account.email);
    expect(notices.map((m) => m.subject)).toEqual(['Your account email was changed']);
    expect(notices[0]!.text).toContain(newAddress);
    expect(notices[0]!.html).toContain(newAddress);
    expect(received.some((m) => recipient(m) === newAddress)).toBe(false);
  });

  it('sends at most RATE_LIMIT_EMAIL_NOTICE (3 an hour) notices to one address: the changes go through, the rest are skipped', async () => {
    const victim = `victim_${randomBytes(4).toString('hex')}@example.org`;
    const signedUp = await register(jsonRequest('/api/register', newAccount()));
    const { access_token: token } = await signedUp.json();
    const patch = (email: string) => changeProfile(jsonRequest('/api/me', { email }, { method: 'PATCH', headers: { authorization: `Bearer ${token}` } }));
    const warnings = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      // Take the victim's address, then leave it with a message in the "new address": five times.
      for (let i = 0; i < 5; i++) {
        expect((await patch(victim)).status).toBe(200);
        const left = await patch(`visit-evil-${i}@evil.example`);
        expect(left.status).toBe(200);
        expect((await left.json()).email).toBe(`visit-evil-${i}@evil.example`);
      }
      await settleBackground();
      expect(received.filter((m) => recipient(m) === victim)).toHaveLength(3);
      expect(warnings.mock.calls.flat().join('\n')).toMatch(/email change notice skipped: RATE_LIMIT_EMAIL_NOTICE/);
    } finally {
      warnings.mockRestore();
    }
  });

  it('still sends the notice when Redis cannot be reached for its limit (logged): the owner hears of the change', async () => {
    const account = newAccount();
    const { access_token: token } = await (await register(jsonRequest('/api/register', account))).json();
    const saved = { url: process.env.UPSTASH_REDIS_REST_URL, token: process.env.UPSTASH_REDIS_REST_TOKEN };
    Object.assign(process.env, { UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:1', UPSTASH_REDIS_REST_TOKEN: 'token' });
    resetConfig();
    resetStore();
    const warnings = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const newAddress = newAccount().email;
      // The change itself counts against RATE_LIMIT_PROFILE_USER first: with Redis down it is
      // refused (503, fail closed), so nothing changes and there is nothing to tell.
      const refused = await changeProfile(jsonRequest('/api/me', { email: newAddress }, { method: 'PATCH', headers: { authorization: `Bearer ${token}` } }));
      expect(refused.status).toBe(503);
      await settleBackground();
      expect(received.filter((m) => recipient(m) === account.email)).toEqual([]);
      // Redis lost between a change and its notice (which runs after the response): the notice goes out.
      await sendEmailChangeNotice(account.email, newAddress);
      expect(received.filter((m) => recipient(m) === account.email).map((m) => m.subject)).toEqual(['Your account email was changed']);
      expect(warnings.mock.calls.flat().join('\n')).toMatch(/email change notice sent without its limit: /);
    } finally {
      warnings.mockRestore();
      errors.mockRestore();
      for (const [name, value] of [['UPSTASH_REDIS_REST_URL', saved.url], ['UPSTASH_REDIS_REST_TOKEN', saved.token]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      resetConfig();
      resetStore();
    }
  });

  it('still answers 202 when the SMTP server refuses, logs the failure, and works again once it accepts', async () => {
    const account = newAccount();
    expect((await register(jsonRequest('/api/register', account))).status).toBe(201);
    refuse = true;
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const response = await forgot(jsonRequest('/api/forgot-password', { email: account.email }));
    expect(response.status).toBe(202);
    await settleBackground();
    expect(errors.mock.calls.flat().join('\n')).toMatch(/password reset mail failed: .*mailbox unavailable/);
    expect(errors.mock.calls.flat().join('\n')).not.toMatch(/\b\d{6}\b.*\b\d{6}\b/);
    errors.mockRestore();
    expect(received.some((m) => recipient(m) === account.email)).toBe(false);

    refuse = false;
    expect((await forgot(jsonRequest('/api/forgot-password', { email: account.email }))).status).toBe(202);
    await settleBackground();
    const code = codeIn(received.find((m) => recipient(m) === account.email))!;
    const ok = await reset(jsonRequest('/api/reset-password', { email: account.email, otp: code, new_password: 'after the outage' }));
    expect(ok.status).toBe(200);
    await settleBackground();
  });

  /**
   * Runs `test` with mail going to a server (asking for no login) that stalls `stallMs()` before
   * each of its answers to MAIL FROM, RCPT TO and the end of DATA, with `env` set, and console.error
   * caught; everything is put back after.
   */
  async function withStallingServer(stallMs: () => number, env: Record<string, string>, test: (slow: TestSmtp, errors: () => string) => Promise<void>) {
    const slow = await startSmtpServer({ stallMs });
    Object.assign(process.env, slow.env, env);
    delete process.env.MAIL_USERNAME;
    delete process.env.MAIL_PASSWORD;
    resetConfig();
    resetMail();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await test(slow, () => errors.mock.calls.flat().join('\n'));
    } finally {
      errors.mockRestore();
      await slow.close();
      Object.assign(process.env, smtp.env);
      for (const name of Object.keys(env)) delete process.env[name];
      resetConfig();
      resetMail();
    }
  }

  it('gives a whole send MAIL_TIMEOUT_MS, not each step: a server answering every command just in time is cut off, logged, and its connection closed', async () => {
    const account = newAccount();
    expect((await register(jsonRequest('/api/register', account))).status).toBe(201);
    let stallMs = 350; // each of MAIL FROM and RCPT TO: under the 600 ms deadline, not both
    await withStallingServer(() => stallMs, { MAIL_TIMEOUT_MS: '600' }, async (slow, errors) => {
      const closed = slow.nextClose();
      expect((await forgot(jsonRequest('/api/forgot-password', { email: account.email }))).status).toBe(202);
      await settleBackground();
      expect(errors()).toMatch(/password reset mail failed: the SMTP server did not finish the send within MAIL_TIMEOUT_MS \(600 ms\)/);
      await closed; // the service hung up, before DATA: nothing can be delivered late
      expect(slow.received).toEqual([]);

      stallMs = 100; // a server in time with the whole send gets the mail
      expect((await forgot(jsonRequest('/api/forgot-password', { email: account.email }))).status).toBe(202);
      await settleBackground();
      expect(slow.received.map(recipient)).toEqual([account.email]);
    });
  });

  it("gives a mail sent late in an invocation only what is left of the function's maxDuration, not MAIL_TIMEOUT_MS", async () => {
    const account = newAccount();
    expect((await register(jsonRequest('/api/register', account))).status).toBe(201);
    // 1.5 s for the whole send: well within MAIL_TIMEOUT_MS (8000).
    await withStallingServer(() => 500, {}, async (slow, errors) => {
      // An invocation that started 8 s ago (a write that waited for its timeout, say): of its 10 s,
      // less the 1 s kept to log and answer, under 1 s is left for the mail after the response.
      const lateCall = () => forgot(jsonRequest('/api/forgot-password', { email: account.email }));
      expect((await answerFirst(lateCall, performance.now() - 8_000)).status).toBe(202);
      await settleBackground();
      expect(errors()).toMatch(
        /password reset mail failed: the SMTP server did not finish the send within the \d+ ms left of the function's maxDuration \(10 s\); it may have been sent all the same/,
      );
      expect(slow.received).toEqual([]);

      // The same server, early in an invocation: MAIL_TIMEOUT_MS applies and the mail goes.
      expect((await forgot(jsonRequest('/api/forgot-password', { email: account.email }))).status).toBe(202);
      await settleBackground();
      expect(slow.received.map(recipient)).toEqual([account.email]);
    });
  });
});
