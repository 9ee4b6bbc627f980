import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as forgot } from '../api/forgot-password.js';
import { POST as login } from '../api/login.js';
import { GET as me } from '../api/me.js';
import { POST as register } from '../api/register.js';
import { POST as reset } from '../api/reset-password.js';
import { settleBackground } from '../lib/background.js';
import { getConfig, resetConfig } from '../lib/config.js';
import { closeDb } from '../lib/db/client.js';
import { useDatabase } from './support/database.js';
import { bearerRequest, jsonRequest, newAccount, problemOf } from './support/http.js';
import { latestCode } from './support/outbox.js';
import { postgresAvailable } from './support/services.js';

const enabled = await postgresAvailable();

/**
 * Neon's SQL-over-HTTP endpoint turning requests away with 429 (too many requests): the statement
 * never ran, so it is an outage to retry (503 with Retry-After), not a server fault (500), and the
 * reset code that the refused password write had taken is live again. A loopback proxy in front of
 * the Neon stand-in answers 429 to the statements `refuse` picks.
 */
describe.skipIf(!enabled)("Neon's HTTP endpoint answering 429", () => {
  let refuse: (query: string) => boolean = () => false;
  let refused = 0;
  let cleanup = async () => {};
  const proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const { query = '' } = JSON.parse(body.toString('utf8')) as { query?: string };
      if (refuse(query)) {
        refused++;
        res.writeHead(429, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'rate limit exceeded' }));
        return;
      }
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => name.startsWith('neon-') || name === 'content-type')) as Record<string, string>;
      fetch(upstream, { method: 'POST', headers, body })
        .then(async (answer) => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(Buffer.from(await answer.arrayBuffer())))
        .catch(() => res.writeHead(502).end());
    });
  });
  let upstream = '';

  beforeAll(async () => {
    cleanup = await useDatabase('neon');
    upstream = process.env.NEON_HTTP_ENDPOINT!;
    await new Promise<void>((ready) => proxy.listen(0, '127.0.0.1', ready));
    vi.stubEnv('NEON_HTTP_ENDPOINT', `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/sql`);
    resetConfig();
    await closeDb();
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await cleanup();
    resetConfig();
    await new Promise((done) => proxy.close(done));
  });

  it('answers 503 with Retry-After on a read, and a refused password write leaves the mailed code usable', async () => {
    const account = newAccount();
    const signUp = await register(jsonRequest('/api/register', account));
    expect(signUp.status).toBe(201);
    const { access_token } = (await signUp.json()) as { access_token: string };
    expect((await forgot(jsonRequest('/api/forgot-password', { email: account.email }))).status).toBe(202);
    await settleBackground();
    const otp = await latestCode(getConfig().outboxDir, account.email);

    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      refuse = () => true;
      const read = await me(bearerRequest('/api/me', access_token));
      expect(read.status).toBe(503);
      expect(Number(read.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await problemOf(read)).type).toBe('urn:problem:service_unavailable');

      // Only the password write is turned away: the lookup before it goes through.
      refuse = (query) => /^\s*update\b/i.test(query);
      refused = 0;
      const body = { email: account.email, otp, new_password: 'a brand new password' };
      const first = await reset(jsonRequest('/api/reset-password', body));
      expect(refused).toBe(1);
      expect(first.status).toBe(503);
      expect(first.headers.get('retry-after')).toBeTruthy();
      refuse = () => false;
      // Nothing was written; the same code works once, now.
      expect((await login(jsonRequest('/api/login', { username: account.username, password: account.password }))).status).toBe(200);
      expect((await reset(jsonRequest('/api/reset-password', body))).status).toBe(200);
      expect((await login(jsonRequest('/api/login', { username: account.username, password: body.new_password }))).status).toBe(200);
    } finally {
      refuse = () => false;
      log.mockRestore();
    }
    await settleBackground();
  });
});
