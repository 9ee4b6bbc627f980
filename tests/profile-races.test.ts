import { eq } from '../vendor/drizzle/index.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as forgot from '../api/forgot-password.js';
import * as me from '../api/me.js';
import * as registration from '../api/register.js';
import * as reset from '../api/reset-password.js';
import { settleBackground } from '../lib/background.js';
import { getConfig } from '../lib/config.js';
import { getDb } from '../lib/db/client.js';
import { users } from '../lib/db/schema.js';
import { replacePassword } from '../lib/users.js';
import { useDatabase } from './support/database.js';
import { BASE, jsonRequest, newAccount, problemOf } from './support/http.js';
import { latestCode } from './support/outbox.js';
import { slowPatch } from './support/slow-patch.js';

/**
 * PATCH /api/me against changes that land while it runs (its body or its upload can take seconds):
 * the row is judged as it is when written, not as the request first read it.
 */

const patch = (token: string, body: unknown) =>
  me.PATCH(new Request(BASE + '/api/me', { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }));

async function row(id: string) {
  const [found] = await (await getDb()).select().from(users).where(eq(users.id, id));
  return found!;
}

async function signUp() {
  const account = newAccount();
  const body = await (await registration.POST(jsonRequest('/api/register', account))).json();
  return { account, token: body.access_token as string, id: body.user.id as string };
}

let cleanup: () => Promise<void>;
beforeAll(async () => {
  cleanup = await useDatabase('pglite');
});
afterAll(() => cleanup?.());

describe('PATCH /api/me while the account changes underneath', () => {
  it('a new email loses its verified mark judged by the row at the write, not by the request\'s first read', async () => {
    const { token, id } = await signUp();
    const unproved = newAccount().email;
    expect((await patch(token, { email: unproved })).status).toBe(200);
    expect((await row(id)).emailVerified).toBe(false);
    // The request reads the user (email: unproved) and waits for its body ...
    const slow = await slowPatch(token, { email: unproved });
    // ... while the account moves to another address, which gets proved (as a reset or Google would).
    await (await getDb()).update(users).set({ email: newAccount().email, emailVerified: true }).where(eq(users.id, id));
    const answer = await slow.answer();
    expect(answer.status).toBe(200);
    // Back on the unproved address: not verified, though the request first saw no change of email.
    expect(await answer.json()).toMatchObject({ email: unproved, email_verified: false });
    expect((await row(id)).emailVerified).toBe(false);
  });

  it('keeps the verified mark when the email sent is the one the account has at the write', async () => {
    const { account, token, id } = await signUp();
    await (await getDb()).update(users).set({ emailVerified: true }).where(eq(users.id, id));
    const answer = await patch(token, { email: account.email.toUpperCase(), full_name: 'Ada' });
    expect(await answer.json()).toMatchObject({ email: account.email, email_verified: true, full_name: 'Ada' });
  });

  it('a password reset while the request runs stops it: 401, nothing changed (the token it was let in with is revoked)', async () => {
    const { account, token, id } = await signUp();
    const slow = await slowPatch(token, { email: 'attacker@example.com', full_name: 'Mallory' });
    expect((await forgot.POST(jsonRequest('/api/forgot-password', { email: account.email }))).status).toBe(202);
    await settleBackground();
    const otp = await latestCode(getConfig().outboxDir, account.email);
    expect((await reset.POST(jsonRequest('/api/reset-password', { email: account.email, otp, new_password: 'the owner took it back' }))).status).toBe(200);
    const answer = await slow.answer();
    expect(answer.status).toBe(401);
    expect((await problemOf(answer)).detail).toBe('The access token is invalid, expired or revoked.');
    expect(await row(id)).toMatchObject({ email: account.email, fullName: null });
  });

  it('a block while the request runs stops it too', async () => {
    const { account, token, id } = await signUp();
    const slow = await slowPatch(token, { full_name: 'Mallory' });
    await (await getDb()).update(users).set({ isBlocked: true }).where(eq(users.id, id));
    expect((await slow.answer()).status).toBe(401);
    expect(await row(id)).toMatchObject({ email: account.email, fullName: null });
  });
});

describe('a password reset whose account changed its email meanwhile', () => {
  it('changes nothing: the code proved the old address, not the one the account has now', async () => {
    const { account, token, id } = await signUp();
    const before = await row(id);
    const moved = newAccount().email;
    expect((await patch(token, { email: moved })).status).toBe(200);
    expect(await replacePassword(id, account.email, 'a hash from the reset')).toBe(false);
    expect(await row(id)).toMatchObject({ email: moved, emailVerified: false, passwordHash: before.passwordHash, tokenVersion: before.tokenVersion });
    // The control: with the address it has, the same call goes through.
    expect(await replacePassword(id, moved, 'a hash from the reset')).toBe(true);
    expect(await row(id)).toMatchObject({ emailVerified: true, passwordHash: 'a hash from the reset', tokenVersion: before.tokenVersion + 1 });
  });
});
