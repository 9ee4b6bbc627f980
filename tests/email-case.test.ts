import { eq } from '../vendor/drizzle/index.mjs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as forgot } from '../api/forgot-password.js';
import { POST as login } from '../api/login.js';
import { PATCH as patchMe } from '../api/me.js';
import { POST as register } from '../api/register.js';
import { POST as reset } from '../api/reset-password.js';
import { settleBackground } from '../lib/background.js';
import { getConfig, resetConfig } from '../lib/config.js';
import { getDb } from '../lib/db/client.js';
import { users } from '../lib/db/schema.js';
import { findUserByEmail } from '../lib/users.js';
import { useDatabase, type TestDriver } from './support/database.js';
import { jsonRequest, newAccount } from './support/http.js';
import { codeIn, outboxMessages, recipient } from './support/outbox.js';
import { postgresAvailable } from './support/services.js';

const withPostgres = await postgresAvailable();

/** The statuses of wrong-password logins under these names, one after the other, with 4 failures allowed an account. */
async function failedLogins(names: string[]): Promise<number[]> {
  process.env.RATE_LIMIT_LOGIN_ACCOUNT = '4/15m';
  resetConfig();
  try {
    const statuses = [];
    for (const name of names) {
      statuses.push((await login(jsonRequest('/api/login', { username: name, password: 'not the password' }))).status);
      await settleBackground(); // the other name is counted after the response
    }
    return statuses;
  } finally {
    delete process.env.RATE_LIMIT_LOGIN_ACCOUNT;
    resetConfig();
  }
}

// Sign-up stores emails lower-cased, but rows imported from elsewhere (the FastAPI original kept
// the spelling typed) may not be: the unique index is on lower(email), and every lookup by email
// compares lower(email), as login does.
describe.each(['pglite', 'pg'] as const)('an account whose stored email is not lower-case (%s)', (driver: TestDriver) => {
  let cleanup = async () => {};
  beforeAll(async () => {
    if (driver === 'pg' && !withPostgres) return;
    cleanup = await useDatabase(driver);
  });
  afterAll(() => cleanup());

  it.skipIf(driver === 'pg' && !withPostgres)('gets a reset code and resets its password, asked for in any case', async () => {
    const account = newAccount();
    expect((await register(jsonRequest('/api/register', account))).status).toBe(201);
    const stored = account.email.replace(/^user_/, 'User_').replace('example.com', 'Example.COM');
    await (await getDb()).update(users).set({ email: stored }).where(eq(users.username, account.username));

    expect((await forgot(jsonRequest('/api/forgot-password', { email: account.email }))).status).toBe(202);
    await settleBackground();
    // Mailed to the account's address (nodemailer writes its domain in lower case).
    const mailed = (await outboxMessages(getConfig().outboxDir)).filter((m) => recipient(m)?.toLowerCase() === account.email);
    const otp = codeIn(mailed.at(-1));
    expect(otp).toMatch(/^\d{6}$/);
    const new_password = 'a brand new password';
    expect((await reset(jsonRequest('/api/reset-password', { email: stored, otp: otp!, new_password }))).status).toBe(200);
    await settleBackground();
    expect((await login(jsonRequest('/api/login', { username: account.username, password: new_password }))).status).toBe(200);
  });

  it.skipIf(driver === 'pg' && !withPostgres)('keeps its verified mark when a profile save sends the same address back', async () => {
    const account = newAccount();
    const { access_token } = (await (await register(jsonRequest('/api/register', account))).json()) as { access_token: string };
    const stored = account.email.replace(/^user_/, 'User_');
    await (await getDb()).update(users).set({ email: stored, emailVerified: true }).where(eq(users.username, account.username));
    const notices = (await outboxMessages(getConfig().outboxDir)).length;
    const response = await patchMe(
      new Request('http://localhost/api/me', { method: 'PATCH', headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' }, body: JSON.stringify({ email: account.email }) }),
    );
    await settleBackground();
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ email: account.email, email_verified: true });
    expect((await outboxMessages(getConfig().outboxDir)).length).toBe(notices); // no "your email changed" notice
    // A save of other fields leaves the mark alone too.
    const renamed = await patchMe(
      new Request('http://localhost/api/me', { method: 'PATCH', headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' }, body: JSON.stringify({ full_name: 'Ada', username: `${account.username}_2` }) }),
    );
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ full_name: 'Ada', email_verified: true });
  });

  it.skipIf(driver === 'pg' && !withPostgres)('is not reached by a spelling the database lower-cases onto its name (İ for i), so no such spelling has a failure budget of its own', async () => {
    const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const account = newAccount({ username: `mimi_${id}`, email: `mimi_${id}@example.com` });
    expect((await register(jsonRequest('/api/register', account))).status).toBe(201);
    for (const variant of [account.username.replace('i', 'İ'), account.email.replace('i', 'İ')]) {
      // The right password, under a spelling PostgreSQL's lower() maps onto the account's name.
      expect((await login(jsonRequest('/api/login', { username: variant, password: account.password }))).status).toBe(401);
    }
  });

  it.skipIf(driver === 'pg' && !withPostgres)('signs in under an imported name as the database lower-cases it (İ), sharing one failure budget with its address', async () => {
    const account = newAccount();
    expect((await register(jsonRequest('/api/register', account))).status).toBe(201);
    const id = account.username.slice(-8);
    await (await getDb()).update(users).set({ username: `İmport_${id}` }).where(eq(users.username, account.username));
    const byName = `import_${id}`; // lower('İmport_…') in PostgreSQL: the spelling that finds it
    expect((await login(jsonRequest('/api/login', { username: byName, password: account.password }))).status).toBe(200);
    await settleBackground();
    expect(await failedLogins([account.email, account.email, account.email, account.email, byName, byName])).toEqual([401, 401, 401, 401, 429, 429]);
  });

  it.skipIf(driver === 'pg' && !withPostgres)('has one failed-login budget for its username and its address', async () => {
    const account = newAccount();
    expect((await register(jsonRequest('/api/register', account))).status).toBe(201);
    const stored = account.email.replace(/^user_/, 'User_').replace('example.com', 'Example.COM');
    await (await getDb()).update(users).set({ email: stored }).where(eq(users.username, account.username));
    expect(await failedLogins([account.username, account.email, account.username, account.email, account.username, account.email])).toEqual([401, 401, 401, 401, 429, 429]);
  });
});

describe.skipIf(!withPostgres)('the email lookup on PostgreSQL', () => {
  let cleanup = async () => {};
  beforeAll(async () => {
    cleanup = await useDatabase('pg');
  });
  afterAll(() => cleanup());

  // PostgreSQL lower-cases İ to i, JavaScript to i and a combining dot (PGlite's lower() leaves it).
  it('an imported address with an İ, which the database lower-cases apart from JavaScript: resets with its mailed code, and a save of the same address tells nobody', async () => {
    const account = newAccount();
    expect((await register(jsonRequest('/api/register', account))).status).toBe(201);
    const stored = account.email.replace(/^user_/, 'USİ_');
    const typed = account.email.replace(/^user_/, 'usi_'); // the address as the database lower-cases it
    await (await getDb()).update(users).set({ email: stored, emailVerified: true }).where(eq(users.username, account.username));

    expect((await forgot(jsonRequest('/api/forgot-password', { email: typed }))).status).toBe(202);
    await settleBackground();
    const otp = codeIn((await outboxMessages(getConfig().outboxDir)).filter((m) => recipient(m) === stored).at(-1));
    expect(otp).toMatch(/^\d{6}$/);
    const new_password = 'a brand new password';
    expect((await reset(jsonRequest('/api/reset-password', { email: typed, otp: otp!, new_password }))).status).toBe(200);
    await settleBackground();
    const signedIn = await login(jsonRequest('/api/login', { username: account.username, password: new_password }));
    expect(signedIn.status).toBe(200);
    const fresh = ((await signedIn.json()) as { access_token: string }).access_token;

    const notices = (await outboxMessages(getConfig().outboxDir)).length;
    const response = await patchMe(
      new Request('http://localhost/api/me', { method: 'PATCH', headers: { authorization: `Bearer ${fresh}`, 'content-type': 'application/json' }, body: JSON.stringify({ email: typed }) }),
    );
    await settleBackground();
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ email: typed, email_verified: true });
    expect((await outboxMessages(getConfig().outboxDir)).length).toBe(notices); // the same address: no "your email changed" notice
  });

  it('is looked up through the users_email_lower_key index, not a scan of the table', async () => {
    // The query findUserByEmail sends, as sent, then EXPLAINed with sequential scans priced out so
    // that a table of a few rows still shows whether the index can serve it.
    const sent = vi.spyOn(pg.Client.prototype, 'query'); // the pool's client sends it
    let call: unknown[] | undefined;
    try {
      await findUserByEmail('Someone@Example.com');
      call = sent.mock.calls.at(-1);
    } finally {
      sent.mockRestore();
    }
    const [query, params] = call as [{ text: string }, unknown[]];
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL enable_seqscan = off');
      const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${query.text}`, params);
      await client.query('ROLLBACK');
      expect(JSON.stringify(rows[0])).toContain('"Index Name":"users_email_lower_key"');
    } finally {
      await client.end();
    }
  });
});
