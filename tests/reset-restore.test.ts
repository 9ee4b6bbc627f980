import { eq } from '../vendor/drizzle/index.mjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as forgot } from '../api/forgot-password.js';
import { POST as login } from '../api/login.js';
import { POST as register } from '../api/register.js';
import { POST as reset } from '../api/reset-password.js';
import { settleBackground } from '../lib/background.js';
import { getConfig, resetConfig } from '../lib/config.js';
import { getDb } from '../lib/db/client.js';
import { users } from '../lib/db/schema.js';
import { resetStore } from '../lib/store.js';
import { useDatabase } from './support/database.js';
import { jsonRequest, newAccount } from './support/http.js';
import { latestCode, outboxMessages, recipient } from './support/outbox.js';

/** How the next password write goes: after `during`; then fails with `error` (having committed or not), or runs. */
const next = vi.hoisted(() => ({ failure: undefined as undefined | { during?: () => Promise<void>; commit?: boolean; error?: Error } }));
vi.mock('../lib/users.js', async (original) => {
  const actual = await original<typeof import('../lib/users.js')>();
  return {
    ...actual,
    replacePassword: async (...args: Parameters<typeof actual.replacePassword>) => {
      const failure = next.failure;
      if (!failure) return actual.replacePassword(...args);
      next.failure = undefined;
      await failure.during?.();
      if (!failure.error) return actual.replacePassword(...args);
      if (failure.commit) await actual.replacePassword(...args);
      throw failure.error;
    },
  };
});

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const lost = () => new Error('Connection terminated unexpectedly');

// The database write of a reset fails after its code was taken: the code comes back only when the
// write certainly never ran, and only while it is still the stored code.
describe('reset-password: the mailed code after a failed password write', () => {
  let cleanup = async () => {};
  beforeAll(async () => {
    cleanup = await useDatabase('pglite');
    process.env.RATE_LIMIT_RESET_EMAIL = '100/15m';
    process.env.RATE_LIMIT_FORGOT_EMAIL = '100/1h';
    resetConfig();
    resetStore();
  });
  afterAll(async () => {
    await settleBackground();
    delete process.env.RATE_LIMIT_RESET_EMAIL;
    delete process.env.RATE_LIMIT_FORGOT_EMAIL;
    resetConfig();
    await cleanup();
  });

  const signUp = async () => {
    const account = newAccount();
    expect((await register(jsonRequest('/api/register', account))).status).toBe(201);
    return account.email;
  };
  const ask = async (email: string) => {
    expect((await forgot(jsonRequest('/api/forgot-password', { email }))).status).toBe(202);
    await settleBackground();
    return latestCode(getConfig().outboxDir, email);
  };
  const resetWith = async (email: string, otp: string, new_password: string) => (await reset(jsonRequest('/api/reset-password', { email, otp, new_password }))).status;
  const failingWrite = async (failure: NonNullable<typeof next.failure>, email: string, otp: string) => {
    next.failure = failure;
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await resetWith(email, otp, 'the first password')).toBe(503);
    } finally {
      next.failure = undefined;
      log.mockRestore();
    }
  };

  it("works again when the write never ran (no connection could be made), the address's attempt and failure slots given back", async () => {
    const generous = process.env.RATE_LIMIT_RESET_FAILURES;
    process.env.RATE_LIMIT_RESET_FAILURES = '1/1d'; // had the 503 kept either slot, the retry would be refused
    process.env.RATE_LIMIT_RESET_EMAIL = '1/15m';
    resetConfig();
    const email = await signUp();
    const otp = await ask(email);
    try {
      await failingWrite({ error: refused() }, email, otp);
      await settleBackground(); // the slot goes back after the response
      expect(await resetWith(email, otp, 'the first password')).toBe(200);
    } finally {
      process.env.RATE_LIMIT_RESET_FAILURES = generous;
      process.env.RATE_LIMIT_RESET_EMAIL = '100/15m';
      resetConfig();
    }
    expect(await resetWith(email, otp, 'a second password')).toBe(400); // and then it is used up
  });

  it('stays used when the write may have committed (the connection was lost with it out), and the owner is told', async () => {
    const email = await signUp();
    const otp = await ask(email);
    const notices = async () => (await outboxMessages(getConfig().outboxDir)).filter((m) => recipient(m) === email && m.subject === 'Your password was changed').length;
    await failingWrite({ error: lost(), commit: true }, email, otp);
    await settleBackground();
    expect(await notices()).toBe(1);
    expect(await resetWith(email, otp, 'a second password')).toBe(400);
  });

  it('sends no such notice when the write certainly never ran', async () => {
    const email = await signUp();
    const otp = await ask(email);
    await failingWrite({ error: refused() }, email, otp);
    await settleBackground();
    expect((await outboxMessages(getConfig().outboxDir)).filter((m) => recipient(m) === email && m.subject === 'Your password was changed')).toEqual([]);
  });

  it('changes nothing when the account changed its email while the reset ran (the code proved the old address), and counts no failed reset', async () => {
    const generous = process.env.RATE_LIMIT_RESET_FAILURES;
    process.env.RATE_LIMIT_RESET_FAILURES = '1/1d';
    resetConfig();
    const email = await signUp();
    const otp = await ask(email);
    const moved = `moved-${email}`;
    next.failure = { during: async () => void (await (await getDb()).update(users).set({ email: moved }).where(eq(users.email, email))) };
    try {
      expect(await resetWith(email, otp, 'the first password')).toBe(400);
      await settleBackground();
      // The code was right: its 400 gave the address's one failure back, so a guess is still judged.
      expect(await resetWith(email, '000000', 'the first password')).toBe(400);
      expect(await resetWith(email, '000000', 'the first password')).toBe(429); // and that one counted
    } finally {
      next.failure = undefined;
      process.env.RATE_LIMIT_RESET_FAILURES = generous;
      resetConfig();
    }
    const [row] = await (await getDb()).select().from(users).where(eq(users.email, moved));
    expect(row).toMatchObject({ tokenVersion: 0 });
    expect((await login(jsonRequest('/api/login', { username: moved, password: 'correct horse battery' }))).status).toBe(200); // the old password
  });

  it('never comes back over a newer code, even one used meanwhile', async () => {
    const email = await signUp();
    const old = await ask(email);
    let newer = '';
    const during = async () => {
      newer = await ask(email); // replaces `old`
      expect(await resetWith(email, newer, 'the newer password')).toBe(200); // and is used
    };
    await failingWrite({ error: refused(), during }, email, old);
    expect(newer).not.toBe('');
    expect(await resetWith(email, old, 'yet another password')).toBe(400);
    expect(await resetWith(email, newer, 'yet another password')).toBe(400);
  });
});
