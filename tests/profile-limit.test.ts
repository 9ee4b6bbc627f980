import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as me from '../api/me.js';
import * as registration from '../api/register.js';
import { settleBackground } from '../lib/background.js';
import { resetConfig } from '../lib/config.js';
import { useDatabase, type DatabaseOptions, type TestDriver } from './support/database.js';
import { BASE, bearerRequest, jsonRequest, newAccount, problemOf } from './support/http.js';
import { postgresAvailable, POSTGRES_ADMIN_URL } from './support/services.js';
import { slowPatch } from './support/slow-patch.js';
import { startTcpProxy } from './support/tcp-proxy.js';

/**
 * PATCH /api/me answers 409 for a username or email another account has: without a limit, any
 * signed-in account could ask it, as fast as it likes, which addresses have an account here. So
 * changes of either count per account (RATE_LIMIT_PROFILE_USER) and per client address over all
 * its accounts (RATE_LIMIT_PROFILE_IP), taken or not.
 */

async function signUp() {
  const account = newAccount();
  const body = await (await registration.POST(jsonRequest('/api/register', account))).json();
  return { account, token: body.access_token as string };
}

/** The client address, as Vercel's edge sets it. */
const from = (ip: string | undefined): Record<string, string> => (ip ? { 'x-real-ip': ip } : {});

const patch = (token: string, body: unknown, ip?: string) =>
  me.PATCH(new Request(BASE + '/api/me', { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...from(ip) }, body: JSON.stringify(body) }));

const current = async (token: string) => (await me.GET(bearerRequest('/api/me', token))).json();

function withLimit(driver: TestDriver, options: () => DatabaseOptions = () => ({}), limits: Record<string, string> = { RATE_LIMIT_PROFILE_USER: '2/1h' }) {
  let cleanup = async () => {};
  const generous = Object.fromEntries(Object.keys(limits).map((name) => [name, process.env[name]]));
  beforeAll(async () => {
    cleanup = await useDatabase(driver, options());
  });
  afterAll(() => cleanup());
  beforeEach(() => {
    Object.assign(process.env, limits);
    resetConfig();
  });
  afterEach(async () => {
    await settleBackground();
    for (const [name, value] of Object.entries(generous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    resetConfig();
  });
}

describe('username and email changes per account (RATE_LIMIT_PROFILE_USER)', () => {
  withLimit('pglite');

  it('counts a taken name too, refuses past the limit with 429 changing nothing, and leaves display names and other accounts alone', async () => {
    const { account, token } = await signUp();
    const other = await signUp();
    const renamed = newAccount().username;
    expect((await patch(token, { username: renamed })).status).toBe(200);
    // The probe the limit is for: someone else's address answers 409, and spends a slot all the same.
    expect((await patch(token, { email: other.account.email })).status).toBe(409);

    const refused = await patch(token, { email: newAccount().email, username: newAccount().username });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await problemOf(refused)).detail).toMatch(/^Too many username or email changes for this account\. Try again in \d+ (seconds?|minutes?|hours?)\.$/);
    // Refused before the lookup: a taken address answers 429 too, telling nothing.
    expect((await patch(token, { email: other.account.email })).status).toBe(429);
    const before = await current(token);
    expect(before).toMatchObject({ username: renamed, email: account.email.toLowerCase() });

    // A display name is no probe: it goes on, and so does the other account.
    const named = await patch(token, { full_name: 'Still Ada' });
    expect(named.status).toBe(200);
    expect(await named.json()).toMatchObject({ full_name: 'Still Ada', username: renamed, email: before.email });
    expect((await patch(other.token, { username: newAccount().username })).status).toBe(200);
  });
});

describe('a name sent as it already is, as a profile form saves every field, is no change (RATE_LIMIT_PROFILE_USER)', () => {
  withLimit('pglite');

  it('is not counted, and the rest of the request goes on', async () => {
    const { token } = await signUp();
    const saved = await current(token);
    for (let i = 0; i < 4; i++) {
      const answer = await patch(token, { username: saved.username, email: saved.email, full_name: `Ada ${i}` });
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ ...saved, full_name: `Ada ${i}` });
    }
    // Nothing but names as they are.
    const unchanged = await patch(token, { username: saved.username, email: saved.email });
    expect(unchanged.status).toBe(200);
    expect(await unchanged.json()).toEqual({ ...saved, full_name: 'Ada 3' });

    // Both of the limit's changes are still there: a rename, and back again (a change too), then 429.
    expect((await patch(token, { username: newAccount().username, email: saved.email })).status).toBe(200);
    expect((await patch(token, { username: saved.username, email: saved.email })).status).toBe(200);
    expect((await patch(token, { username: newAccount().username })).status).toBe(429);
    expect((await current(token)).username).toBe(saved.username);
  });
});

describe("a form's empty username or email is one left as it is (a form sends every field it has)", () => {
  withLimit('pglite');

  const patchForm = (token: string, fields: Record<string, string>) => {
    const body = new FormData();
    for (const [name, value] of Object.entries(fields)) body.append(name, value);
    return me.PATCH(new Request(BASE + '/api/me', { method: 'PATCH', headers: { authorization: `Bearer ${token}` }, body }));
  };

  it('changes the rest, counts nothing; with nothing else filled in it is a 422, and in JSON an empty name is refused', async () => {
    const { token } = await signUp();
    const saved = await current(token);
    for (let i = 0; i < 3; i++) {
      const answer = await patchForm(token, { username: '', email: '', full_name: `Ada ${i}` });
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ ...saved, full_name: `Ada ${i}` });
    }
    const empty = await patchForm(token, { username: '', email: '' });
    expect(empty.status).toBe(422);
    expect((await problemOf(empty)).errors).toEqual([{ field: '', message: 'Send at least one of username, email, full_name, avatar.' }]);
    expect((await patch(token, { username: '' })).status).toBe(422);
    expect((await patch(token, { email: '' })).status).toBe(422);
    // Both of the limit's changes are still there.
    const renamed = newAccount().username;
    expect((await patchForm(token, { username: renamed, email: '' })).status).toBe(200);
    expect((await patchForm(token, { username: '', email: newAccount().email })).status).toBe(200);
    expect((await patchForm(token, { username: newAccount().username })).status).toBe(429);
    expect((await current(token)).username).toBe(renamed);
  });
});

describe('username and email changes per client address, over all its accounts (RATE_LIMIT_PROFILE_IP)', () => {
  withLimit('pglite', () => ({}), { RATE_LIMIT_PROFILE_IP: '3/1h' });

  it("counts every account's changes from one address, taken names too, refuses past it with 429 changing nothing, and leaves other addresses alone", async () => {
    const ip = '198.51.100.23';
    const [first, second, third] = [await signUp(), await signUp(), await signUp()];
    expect((await patch(first.token, { username: newAccount().username }, ip)).status).toBe(200);
    expect((await patch(second.token, { email: first.account.email }, ip)).status).toBe(409);
    expect((await patch(third.token, { username: newAccount().username }, ip)).status).toBe(200);

    // The second account has made one change of its ten: the address's three are spent all the same.
    const before = await current(second.token);
    const refused = await patch(second.token, { email: newAccount().email }, ip);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await problemOf(refused)).detail).toMatch(/^Too many username or email changes from this address\. Try again in \d+ (seconds?|minutes?|hours?)\.$/);
    // Refused before the lookup: a taken address answers 429 too, telling nothing.
    expect((await patch(second.token, { email: first.account.email }, ip)).status).toBe(429);
    expect(await current(second.token)).toEqual(before);

    // A display name is no probe; from another address the same account goes on.
    expect((await patch(second.token, { full_name: 'Still Ada' }, ip)).status).toBe(200);
    expect((await patch(second.token, { username: newAccount().username }, '198.51.100.24')).status).toBe(200);
  });
});

describe("a change one of the two limits refuses spends nothing of the other's (RATE_LIMIT_PROFILE_USER, RATE_LIMIT_PROFILE_IP)", () => {
  withLimit('pglite', () => ({}), { RATE_LIMIT_PROFILE_USER: '2/1h', RATE_LIMIT_PROFILE_IP: '3/1h' });

  it("refused by the address's limit, the account keeps its own changes; refused by the account's, the address keeps its", async () => {
    const mine = await signUp();
    const others = async (n: number) => Promise.all(Array.from({ length: n }, () => signUp()));
    const shared = '198.51.100.50';
    // Others behind the address spend its three; this account's tries there are refused ...
    for (const other of await others(3)) expect((await patch(other.token, { username: newAccount().username }, shared)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await patch(mine.token, { username: newAccount().username }, shared)).status).toBe(429);
    // ... and spent none of its own two: from another address both go through.
    for (let i = 0; i < 2; i++) expect((await patch(mine.token, { username: newAccount().username }, '198.51.100.51')).status).toBe(200);

    // Its own limit, now spent, refuses it three times at a fresh address, whose three are all still there for others.
    const fresh = '198.51.100.52';
    for (let i = 0; i < 3; i++) expect((await patch(mine.token, { username: newAccount().username }, fresh)).status).toBe(429);
    const [d, e, f, g] = await others(4);
    for (const other of [d, e, f]) expect((await patch(other!.token, { email: newAccount().email }, fresh)).status).toBe(200);
    expect((await patch(g!.token, { email: newAccount().email }, fresh)).status).toBe(429);
  });
});

const postgres = await postgresAvailable();

describe.skipIf(!postgres)('a change that fails on the database gives its slot back (RATE_LIMIT_PROFILE_USER)', () => {
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  beforeAll(async () => {
    proxy = await startTcpProxy(Number(new URL(POSTGRES_ADMIN_URL).port || 5432));
  });
  afterAll(() => proxy.close().catch(() => {}));
  withLimit('pg', () => ({ port: proxy.port(), env: { DB_CONNECT_TIMEOUT_MS: '1000', DB_QUERY_TIMEOUT_MS: '1500' } }), { RATE_LIMIT_PROFILE_USER: '2/1h', RATE_LIMIT_PROFILE_IP: '2/1h' });

  it("answers 503 and refunds the slots (the account's and the address's) after the response, so the limits count only changes the database saw", async () => {
    const { token } = await signUp();
    const ip = '198.51.100.31';
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      for (let i = 0; i < 3; i++) {
        // The token is checked; the database goes away while the body is on its way.
        const slow = await slowPatch(token, { username: newAccount().username }, from(ip));
        await proxy.cut();
        const failed = await slow.answer();
        expect(failed.status).toBe(503);
        await proxy.heal();
        await settleBackground(); // the slot comes back after the response
      }
    } finally {
      log.mockRestore();
      await proxy.heal();
    }
    // Both slots of each limit are free: two changes go through, and only then are the limits spent.
    const [first, second] = [newAccount().username, newAccount().username];
    expect((await patch(token, { username: first }, ip)).status).toBe(200);
    expect((await patch(token, { username: second }, ip)).status).toBe(200);
    expect((await patch(token, { username: newAccount().username }, ip)).status).toBe(429);
    expect((await current(token)).username).toBe(second);
  });
});
