import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as forgotApi from '../api/forgot-password.js';
import * as registerApi from '../api/register.js';
import { getDb } from '../lib/db/client.js';
import { users } from '../lib/db/schema.js';
import { useDatabase } from './support/database.js';
import { jsonRequest, problemOf } from './support/http.js';

/**
 * Addresses under an internationalised top-level domain (.рф is `xn--p1ai` on the wire) are
 * ordinary addresses: the document says `format: email`, a browser's <input type="email"> takes
 * them, and Google sign-in creates accounts with them (lib/google-accounts.ts checks no format).
 * zod's default email pattern wanted a top-level domain of letters only, so such an address could
 * not sign up, and an account Google made with one could not ask for a reset code.
 */
describe('an email address under an internationalised TLD', () => {
  let cleanup = async () => {};
  beforeAll(async () => {
    cleanup = await useDatabase('pglite');
  });
  afterAll(() => cleanup());

  const id = Date.now().toString(36);

  it('signs up', async () => {
    const response = await registerApi.POST(jsonRequest('/api/register', { username: `ivan_${id}`, email: `ivan_${id}@xn--e1afmkfd.xn--p1ai`, password: 'correct horse' }));
    expect(response.status, JSON.stringify(await response.clone().json())).toBe(201);
  });

  it('gets a reset code for an account Google sign-in made with it (README: a Google account sets a password through "forgot password")', async () => {
    const email = `olga_${id}@xn--e1afmkfd.xn--p1ai`;
    // As createGoogleUser writes it: Google verified the address, no password.
    await (await getDb()).insert(users).values({ username: `olga_${id}`, email, googleSub: `sub-${id}`, emailVerified: true });
    const response = await forgotApi.POST(jsonRequest('/api/forgot-password', { email }));
    expect(response.status, JSON.stringify(await problemOf(response.clone()).catch(() => null))).toBe(202);
  });

  it('signs up written in capitals, as any other address (stored in lower case)', async () => {
    const response = await registerApi.POST(jsonRequest('/api/register', { username: `pyotr_${id}`, email: `Pyotr_${id}@XN--E1AFMKFD.XN--P1AI`, password: 'correct horse' }));
    expect(response.status, JSON.stringify(await response.clone().json())).toBe(201);
    expect((await response.json()).user.email).toBe(`pyotr_${id}@xn--e1afmkfd.xn--p1ai`);
  });
});
