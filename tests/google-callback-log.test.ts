import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GET as callback } from '../api/google/callback.js';
import { resetConfig } from '../lib/config.js';
import { closeDb } from '../lib/db/client.js';
import { useDatabase } from './support/database.js';
import { callbackRequestAfterStart } from './support/google-callback-request.js';
import { postgresAvailable } from './support/services.js';

// What the Google callback logs when the database fails under it: the same rule as every other
// endpoint (lib/describe-error.ts), never a drizzle message's `params:` (the person's Google
// subject, email address, name, picture URL).
const ENV = { GOOGLE_CLIENT_ID: 'log-client', GOOGLE_CLIENT_SECRET: 'log-secret', GOOGLE_TIMEOUT_MS: '2000', GOOGLE_ISSUER: 'https://log.example' };
const PROFILE = { sub: 'google-sub-1234567890', email: 'private.person@gmail.example', email_verified: true, name: 'Private Person', picture: 'https://pictures.example/private-person.png' };
const available = await postgresAvailable();

let server: Server;
let signingKey: CryptoKey;
let publicJwk: JWK;
let cleanup: () => Promise<void> = async () => {};
let databaseUrl = '';

beforeAll(async () => {
  if (!available) return;
  const pair = await generateKeyPair('RS256', { extractable: true });
  signingKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  server = createServer((req, res) => {
    if (req.url!.startsWith('/jwks')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [publicJwk] }));
      return;
    }
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', async () => {
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: ENV.GOOGLE_ISSUER, aud: ENV.GOOGLE_CLIENT_ID, iat: now, exp: now + 600, nonce: new URLSearchParams(body).get('code'), ...PROFILE };
      const idToken = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(signingKey);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'opaque', token_type: 'Bearer', id_token: idToken }));
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(process.env, ENV, { GOOGLE_TOKEN_URL: `${base}/token`, GOOGLE_JWKS_URL: `${base}/jwks` });
  cleanup = await useDatabase('pg');
  databaseUrl = process.env.DATABASE_URL!;
});
afterAll(async () => {
  if (!available) return;
  await cleanup();
  for (const name of [...Object.keys(ENV), 'GOOGLE_TOKEN_URL', 'GOOGLE_JWKS_URL']) delete process.env[name];
  resetConfig();
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});
afterEach(() => vi.restoreAllMocks());

async function signIn() {
  const response = await callback(await callbackRequestAfterStart());
  return new URL(response.headers.get('location')!).searchParams.get('error');
}

const logged = (spy: { mock: { calls: unknown[][] } }) => spy.mock.calls.flat().map(String).join('\n');

describe.skipIf(!available)('the Google callback log when the database fails', () => {
  it('names the failure, never the profile a failed query carried (email, name, picture, subject)', async () => {
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    // Any failure of the account's insert that is not a lost race (here a check the row fails).
    await admin.query('ALTER TABLE users ADD CONSTRAINT refuse_all CHECK (false) NOT VALID');
    await admin.end();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await signIn()).toBe('server_error');
    const log = logged(errors);
    expect(log).toMatch(/google sign-in crashed: database error 23514: .*refuse_all/);
    for (const value of [PROFILE.email, PROFILE.name, PROFILE.picture, PROFILE.sub]) expect(log).not.toContain(value);
  });

  it('names a database that cannot be reached without the subject it was asked for', async () => {
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query('ALTER TABLE users DROP CONSTRAINT IF EXISTS refuse_all');
    await admin.end();
    process.env.DATABASE_URL = 'postgres://someone:db-password@127.0.0.1:1/nowhere';
    resetConfig();
    await closeDb();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await signIn()).toBe('server_error');
    } finally {
      process.env.DATABASE_URL = databaseUrl;
      resetConfig();
      await closeDb();
    }
    const log = logged(errors);
    expect(log).toMatch(/ECONNREFUSED/);
    expect(log).not.toContain(PROFILE.sub);
    expect(log).not.toContain('db-password');
  });
});
