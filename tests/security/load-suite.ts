import { randomBytes } from 'node:crypto';
import { sql } from '../../vendor/drizzle/index.mjs';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as forgot } from '../../api/forgot-password.js';
import { POST as exchange } from '../../api/google/exchange.js';
import { POST as login } from '../../api/login.js';
import { GET as me } from '../../api/me.js';
import { POST as register } from '../../api/register.js';
import { POST as reset } from '../../api/reset-password.js';
import { settleBackground } from '../../lib/background.js';
import { resetConfig } from '../../lib/config.js';
import { closeDb, getDb } from '../../lib/db/client.js';
import { issueExchangeCode } from '../../lib/exchange-codes.js';
import { resetMail } from '../../lib/mail.js';
import { resetStore } from '../../lib/store.js';
import { useDatabase } from '../support/database.js';
import { bearerRequest, jsonRequest, newAccount } from '../support/http.js';
import { codeIn, recipient } from '../support/outbox.js';
import { startSmtpServer } from '../support/smtp.js';
import { startUpstashRest } from '../support/upstash-rest.js';
import { Tally } from './summary.js';

const from = (ip: string) => ({ headers: { 'x-real-ip': ip } });
const ip = () => `198.18.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;

/**
 * 200 mixed requests at once (racing sign-ups, racing resets with the right code, racing code
 * exchanges, a burst of guesses at one account, and reads), then the invariants: one user per
 * username and email, every reset code and exchange code used once, the limit never exceeded,
 * no 5xx. Every log line written meanwhile is searched for passwords, codes, tokens and hashes.
 */
export function defineLoadSuite(variant: 'embedded' | 'real', enabled: boolean): void {
  describe.skipIf(!enabled)(`races under load, ${variant}`, () => {
    const tally = new Tally(`races (${variant})`);
    let mails: ParsedMail[] = [];
    const logged: string[] = [];
    const saved = { ...process.env };
    const cleanups: (() => Promise<void>)[] = [];

    beforeAll(async () => {
      cleanups.push(await useDatabase(variant === 'real' ? 'pg' : 'pglite'));
      // One mailbox refuses mail, so that the burst also exercises the failure log.
      const smtp = await startSmtpServer({ refuses: (address) => address.startsWith('refused') });
      cleanups.push(smtp.close);
      mails = smtp.received;
      Object.assign(process.env, {
        ...smtp.env,
        RATE_LIMIT_LOGIN_ACCOUNT: '5/15m',
        // Invariants under concurrency, not latency: on a busy shared machine 200 requests at once
        // can wait longer than the production deadlines for Redis and for a pooled connection,
        // and a 503 then would say nothing about races. (The outage tests keep the real deadlines.)
        REDIS_TIMEOUT_MS: '5000',
        DB_CONNECT_TIMEOUT_MS: '10000',
        REDIS_KEY_PREFIX: `load-${randomBytes(6).toString('hex')}:`,
      });
      if (variant === 'real') {
        const rest = await startUpstashRest();
        cleanups.push(rest.close);
        Object.assign(process.env, { UPSTASH_REDIS_REST_URL: rest.url, UPSTASH_REDIS_REST_TOKEN: rest.token });
      }
      resetConfig();
      await closeDb(); // reopened with the longer connect deadline
      resetMail();
      resetStore();
    });
    afterAll(async () => {
      console.log(tally.line());
      await settleBackground();
      process.env = saved;
      resetConfig();
      resetMail();
      resetStore();
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    it('keeps every invariant through 200 concurrent mixed requests, and logs no secret', async () => {
      const keep = (...args: unknown[]) => void logged.push(args.map(String).join(' '));
      const spies = (['log', 'info', 'warn', 'error'] as const).map((m) => vi.spyOn(console, m).mockImplementation(keep));
      const secrets: string[] = [];
      try {
        // Set-up, one at a time: accounts with reset codes and exchange codes, one account to guess at.
        const resetAccounts = [];
        for (let i = 0; i < 5; i++) {
          const account = newAccount();
          const body = await (await register(jsonRequest('/api/register', account, from(ip())))).json();
          expect((await forgot(jsonRequest('/api/forgot-password', { email: account.email }, from(ip())))).status).toBe(202);
          await settleBackground();
          const code = codeIn(mails.filter((m) => recipient(m) === account.email).at(-1))!;
          const exchangeCode = await issueExchangeCode({ id: body.user.id, tokenVersion: 0 }); // a new account
          resetAccounts.push({ account, code, exchangeCode });
          secrets.push(account.password, code, exchangeCode, body.access_token);
        }
        const target = newAccount();
        const targetBody = await (await register(jsonRequest('/api/register', target, from(ip())))).json();
        secrets.push(target.password, targetBody.access_token);

        // The burst.
        const groups: Record<string, Promise<Response>[]> = { register: [], reset: [], exchange: [], guesses: [], me: [] };
        for (let k = 0; k < 10; k++) {
          const base = newAccount();
          for (let j = 0; j < 4; j++) {
            const username = j % 2 ? base.username.toUpperCase() : base.username;
            const email = j < 2 ? base.email : base.email.toUpperCase();
            groups.register!.push(register(jsonRequest('/api/register', { ...base, username, email }, from(ip()))));
          }
          secrets.push(base.password);
        }
        for (const { account, code, exchangeCode } of resetAccounts) {
          for (let j = 0; j < 10; j++) {
            groups.reset!.push(reset(jsonRequest('/api/reset-password', { email: account.email, otp: code, new_password: `new password ${j}` }, from(ip()))));
            secrets.push(`new password ${j}`);
          }
          for (let j = 0; j < 4; j++) groups.exchange!.push(exchange(jsonRequest('/api/google/exchange', { code: exchangeCode }, from(ip()))));
        }
        for (let j = 0; j < 60; j++) groups.guesses!.push(login(jsonRequest('/api/login', { username: target.username, password: 'a wrong guess!' }, from(ip()))));
        for (let j = 0; j < 30; j++) groups.me!.push(me(bearerRequest('/api/me', targetBody.access_token)));
        const refused = newAccount({ email: `refused_${randomBytes(4).toString('hex')}@example.com` });
        expect((await register(jsonRequest('/api/register', refused, from(ip())))).status).toBe(201);
        groups.refusedMail = [forgot(jsonRequest('/api/forgot-password', { email: refused.email }, from(ip())))];
        secrets.push(refused.password);
        const statuses: Record<string, number[]> = {};
        const serverErrors: string[] = [];
        for (const [name, list] of Object.entries(groups)) {
          const responses = await Promise.all(list);
          statuses[name] = responses.map((r) => r.status);
          for (const r of responses) {
            const text = await r.text();
            if (r.status >= 500) serverErrors.push(`${name} ${r.status}: ${text}`);
            if (r.status === 200 && 'access_token' in (JSON.parse(text) as object)) secrets.push(JSON.parse(text).access_token);
          }
          tally.requests += responses.length;
          tally.serverErrors += responses.filter((r) => r.status >= 500).length;
        }
        await settleBackground();

        const count = (name: string, status: number) => statuses[name]!.filter((s) => s === status).length;
        expect(serverErrors).toEqual([]);
        expect(tally.serverErrors).toBe(0);
        expect(count('register', 201)).toBe(10);
        expect(count('register', 409)).toBe(30);
        expect(count('reset', 200)).toBe(5);
        expect(count('reset', 400)).toBe(45);
        expect(count('exchange', 200)).toBe(5);
        expect(count('exchange', 400)).toBe(15);
        expect(count('guesses', 401)).toBe(5);
        expect(count('guesses', 429)).toBe(55);
        expect(count('me', 200)).toBe(30);
        expect(count('refusedMail', 202)).toBe(1); // the refused mail is logged, the answer unchanged
        const db = await getDb();
        const duplicates = await db.execute(sql`
          select 'username' as kind, lower(username) as value from users group by lower(username) having count(*) > 1
          union all
          select 'email', lower(email) from users group by lower(email) having count(*) > 1`);
        expect((duplicates as unknown as { rows: unknown[] }).rows).toEqual([]);
        tally.requests -= 1; // the refused-mail request is not one of the 200
        tally.notes.push('10/40 sign-ups won', '5/50 resets won', '5/20 exchanges won', '5/60 guesses reached a password check');
      } finally {
        for (const spy of spies) spy.mockRestore();
      }
      const leaked = secrets.filter((s) => logged.some((line) => line.includes(s)));
      const suspicious = logged.filter((line) => /\$2[aby]\$\d\d\$/.test(line) || /\b\d{6}\b/.test(line));
      expect(logged.length).toBeGreaterThan(0); // the search had something to search
      tally.notes.push(`${logged.length} log lines searched, ${leaked.length + suspicious.length} secrets found`);
      expect(leaked).toEqual([]);
      expect(suspicious).toEqual([]); // no bcrypt hash, no 6-digit code
    });
  });
}
