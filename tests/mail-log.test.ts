import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { POST as forgot } from '../api/forgot-password.js';
import { POST as register } from '../api/register.js';
import { settleBackground } from '../lib/background.js';
import { resetConfig } from '../lib/config.js';
import { resetMail } from '../lib/mail.js';
import { resetStore } from '../lib/store.js';
import { useDatabase } from './support/database.js';
import { jsonRequest, newAccount } from './support/http.js';

// A mail server that turns a recipient away says so as Postfix does, naming the address:
// "550 5.1.1 <ada@example.com>: Recipient address rejected: User unknown".
describe('the log of a refused mail', () => {
  let server: SMTPServer;
  let cleanup: () => Promise<void> = async () => {};
  const env: Record<string, string> = {};
  beforeAll(async () => {
    cleanup = await useDatabase('pglite');
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (address, _session, done) =>
        done(Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected: User unknown in virtual mailbox table`), { responseCode: 550 })),
    });
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    Object.assign(env, { MAIL_SERVER: '127.0.0.1', MAIL_PORT: String((server.server.address() as AddressInfo).port), MAIL_FROM: 'Auth <auth@example.com>', MAIL_STARTTLS: 'false', MAIL_SSL_TLS: 'false' });
    Object.assign(process.env, env);
    resetConfig();
    resetMail();
    resetStore();
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => {
    await new Promise<void>((done) => server.close(() => done()));
    for (const name of Object.keys(env)) delete process.env[name];
    resetConfig();
    resetMail();
    await cleanup();
  });

  it('says the mail failed and why, without the address', async () => {
    const account = newAccount();
    expect((await register(jsonRequest('/api/register', account))).status).toBe(201);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect((await forgot(jsonRequest('/api/forgot-password', { email: account.email }))).status).toBe(202);
    await settleBackground();
    const log = errors.mock.calls.flat().map(String).join('\n');
    expect(log).toMatch(/password reset mail failed: .*550/);
    expect(log).not.toContain(account.email);
  });
});
