import { eq } from '../vendor/drizzle/index.mjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as forgot } from '../api/forgot-password.js';
import { POST as register } from '../api/register.js';
import { POST as reset } from '../api/reset-password.js';
import { settleBackground } from '../lib/background.js';
import { getConfig } from '../lib/config.js';
import { getDb } from '../lib/db/client.js';
import { users } from '../lib/db/schema.js';
import { replacePassword } from '../lib/users.js';
import { useDatabase } from './support/database.js';
import { hashHook } from './support/hash-hook.js';
import { jsonRequest, newAccount } from './support/http.js';
import { latestCode } from './support/outbox.js';

/**
 * POST /api/reset-password against changes that land while it hashes the new password (bcrypt:
 * a quarter of a second at the production cost). The request is held right after it hashes
 * (tests/support/hash-hook.ts), so the change lands there every time.
 */
vi.mock('../lib/passwords.js', async (original) => (await import('./support/hash-hook.js')).hookedPasswords(await original()));

/** Starts `run` and answers once it waits in hashPassword, with the function that lets it go on. */
async function heldInHash<T>(run: () => Promise<T>): Promise<() => Promise<T>> {
  let open!: () => void;
  let entered!: () => void;
  const inside = new Promise<void>((resolve) => (entered = resolve));
  const opened = new Promise<void>((resolve) => (open = resolve));
  hashHook.afterNext = () => (entered(), opened);
  const running = run();
  await inside;
  return () => (open(), running);
}

async function mailedCode(email: string): Promise<string> {
  expect((await forgot(jsonRequest('/api/forgot-password', { email }))).status).toBe(202);
  await settleBackground();
  return latestCode(getConfig().outboxDir, email);
}

const resetWith = (email: string, otp: string, password: string) => reset(jsonRequest('/api/reset-password', { email, otp, new_password: password }));

describe('a password reset while the account changes underneath', () => {
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    cleanup = await useDatabase('pglite');
  });
  afterAll(async () => {
    await settleBackground();
    await cleanup?.();
  });

  it('a newer code issued meanwhile keeps all 5 of its tries: the reset it replaced spends none of them', async () => {
    const account = newAccount();
    expect((await register(jsonRequest('/api/register', account))).status).toBe(201);
    const first = await mailedCode(account.email);
    const finish = await heldInHash(() => resetWith(account.email, first, 'first new password'));
    const second = await mailedCode(account.email); // replaces the first code
    expect((await finish()).status).toBe(400);
    const wrong = String((Number(second) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 4; i++) expect((await resetWith(account.email, wrong, 'whatever password')).status).toBe(400);
    expect((await resetWith(account.email, second, 'second new password')).status).toBe(200);
  });

  it('an account blocked meanwhile gets no new password (400 as for a blocked account), and stays as it was', async () => {
    const account = newAccount();
    const { user } = await (await register(jsonRequest('/api/register', account))).json();
    const code = await mailedCode(account.email);
    const finish = await heldInHash(() => resetWith(account.email, code, 'a new password'));
    const db = await getDb();
    const [before] = await db.select().from(users).where(eq(users.id, user.id));
    await db.update(users).set({ isBlocked: true }).where(eq(users.id, user.id));
    expect((await finish()).status).toBe(400);
    const [after] = await db.select().from(users).where(eq(users.id, user.id));
    expect(after).toMatchObject({ passwordHash: before!.passwordHash, tokenVersion: before!.tokenVersion, emailVerified: false });
    expect(await replacePassword(user.id, account.email, 'another hash')).toBe(false);
  });
});
