import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GET as me, PATCH as patchMe } from '../api/me.js';
import { POST as register } from '../api/register.js';
import { resetConfig } from '../lib/config.js';
import { closeDb } from '../lib/db/client.js';
import { migrateDatabase } from '../scripts/migrate-database.js';
import { bearerRequest, jsonRequest, newAccount, problemOf } from './support/http.js';
import { startNeonStandIns } from './support/neon-http.js';
import { createTestDatabase } from './support/postgres.js';
import { postgresAvailable } from './support/services.js';

const enabled = await postgresAvailable();

/** The functions' Neon driver speaks SQL over HTTP; these pin what that changes. */
describe.skipIf(!enabled)('Neon driver over HTTP', () => {
  const cleanups: (() => Promise<void>)[] = [];
  let neon: Awaited<ReturnType<typeof startNeonStandIns>>;
  const useEndpoint = async (url: string) => {
    process.env.NEON_HTTP_ENDPOINT = url;
    resetConfig();
    await closeDb();
  };
  beforeAll(async () => {
    const database = await createTestDatabase();
    neon = await startNeonStandIns();
    cleanups.push(database.drop, neon.close);
    Object.assign(process.env, { DATABASE_DRIVER: 'neon', DATABASE_URL: database.url, DB_QUERY_TIMEOUT_MS: '800' }, neon.env);
    await useEndpoint(neon.env.NEON_HTTP_ENDPOINT);
    await migrateDatabase();
  });
  afterAll(async () => {
    await closeDb();
    for (const cleanup of cleanups.reverse()) await cleanup();
    delete process.env.NEON_WS_PROXY;
    delete process.env.NEON_HTTP_ENDPOINT;
  });

  it('sends each query as one HTTP request, and a profile change is one statement', async () => {
    const before = neon.requests();
    const signUp = await register(jsonRequest('/api/register', newAccount()));
    expect(signUp.status).toBe(201);
    expect(neon.requests() - before).toBe(1);
    const { access_token } = await signUp.json();
    const counted = neon.requests();
    const patch = await patchMe(
      new Request('http://localhost/api/me', { method: 'PATCH', headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' }, body: JSON.stringify({ full_name: 'Ada Lovelace' }) }),
    );
    expect(patch.status).toBe(200);
    // One request to authenticate (the user row), one for the change with the old avatar key.
    expect(neon.requests() - counted).toBe(2);
    const profile = await (await me(bearerRequest('/api/me', access_token))).json();
    expect(profile.full_name).toBe('Ada Lovelace');
    expect(new Date(profile.created_at).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('answers 503 when the HTTP endpoint refuses connections', async () => {
    const closed = createServer();
    await new Promise<void>((ready) => closed.listen(0, '127.0.0.1', ready));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((done) => closed.close(() => done()));
    await expectOutage(`http://127.0.0.1:${port}/sql`);
  });

  it('answers 503 within the query deadline when the HTTP endpoint never answers', async () => {
    const silent: Server = createServer(() => {});
    await new Promise<void>((ready) => silent.listen(0, '127.0.0.1', ready));
    try {
      const started = performance.now();
      await expectOutage(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/sql`);
      expect(performance.now() - started).toBeLessThan(2_000);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((done) => silent.close(() => done()));
      await useEndpoint(neon.env.NEON_HTTP_ENDPOINT);
    }
  });

  async function expectOutage(endpoint: string) {
    await useEndpoint(endpoint);
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const response = await register(jsonRequest('/api/register', newAccount()));
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect((await problemOf(response)).detail).not.toMatch(/127\.0\.0\.1|fetch failed|neon/i);
    } finally {
      log.mockRestore();
      await useEndpoint(neon.env.NEON_HTTP_ENDPOINT);
    }
  }
});
