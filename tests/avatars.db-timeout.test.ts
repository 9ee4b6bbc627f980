import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as me from '../api/me.js';
import * as registration from '../api/register.js';
import { settleBackground } from '../lib/background.js';
import { getConfig, resetConfig } from '../lib/config.js';
import { form } from './avatars-suite.js';
import { useDatabase } from './support/database.js';
import { startFakeCloudinary, type FakeCloudinary } from './support/fake-cloudinary.js';
import { BASE, newAccount } from './support/http.js';
import { tinyPng } from './support/images.js';
import { outboxMessages, recipient } from './support/outbox.js';
import { postgresAvailable } from './support/services.js';

const enabled = await postgresAvailable();

// Through the Neon HTTP driver, as deployed: a query that outlives DB_QUERY_TIMEOUT_MS is given up
// by the function (503), but the database may still run it to the end and commit.
describe.skipIf(!enabled)('an avatar change whose write outlives the query deadline', () => {
  let fake: FakeCloudinary;
  let cleanup = async () => {};
  beforeAll(async () => {
    fake = await startFakeCloudinary();
    process.env.CLOUDINARY_URL = fake.cloudinaryUrl;
    resetConfig();
    cleanup = await useDatabase('neon', { env: { DB_QUERY_TIMEOUT_MS: '700' } });
  });
  afterAll(async () => {
    await cleanup();
    await fake?.close();
    delete process.env.CLOUDINARY_URL;
    delete process.env.DB_QUERY_TIMEOUT_MS;
    resetConfig();
  });

  /**
   * Signs up (with an avatar), runs `prepare` on the row, then `change` while another session holds
   * the row, so that its UPDATE waits past the deadline; commits once it answered.
   */
  async function whileRowLocked(change: (token: string) => Promise<Response>, prepare = async (_locker: pg.Client, _id: string) => {}) {
    const account = newAccount();
    const signUp = await registration.POST(new Request(`${BASE}/api/register`, { method: 'POST', body: form(account, [{ bytes: tinyPng(), filename: 'a.png' }]) }));
    const { access_token: token, user } = await signUp.json();
    const first = fake.calls.filter((c) => c.action === 'upload').at(-1)!.publicId!;
    const locker = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await locker.connect();
    try {
      await prepare(locker, user.id);
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [user.id]);
      const answer = await change(token);
      await locker.query('COMMIT'); // the waiting UPDATE now runs, and commits
      const row = async () => (await locker.query('SELECT email, full_name, avatar_key FROM users WHERE id = $1', [user.id])).rows[0] as { email: string; full_name: string; avatar_key: string };
      return { account, token, first, answer, row, done: () => locker.end() };
    } catch (error) {
      await locker.end();
      throw error;
    }
  }
  const patch = (token: string, body: BodyInit, type?: string) =>
    me.PATCH(new Request(`${BASE}/api/me`, { method: 'PATCH', headers: { authorization: `Bearer ${token}`, ...(type ? { 'content-type': type } : {}) }, body }));

  it('answers 503 and keeps the new image, which the row may point at once the write lands: never a broken avatar', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const run = await whileRowLocked((token) => patch(token, form({ full_name: 'New' }, [{ bytes: tinyPng(5, 5), filename: 'b.png' }])));
    try {
      expect(run.answer.status).toBe(503);
      const uploaded = fake.calls.filter((c) => c.action === 'upload').at(-1)!.publicId!;
      await expect.poll(async () => (await run.row()).avatar_key).toBe(uploaded);
      await settleBackground();
      expect((await run.row()).full_name).toBe('New');
      expect(fake.assets.has(uploaded)).toBe(true);
      expect(log.mock.calls.flat().join('\n')).toContain(`avatar ${uploaded} kept`);
    } finally {
      await run.done();
      log.mockRestore();
    }
  });

  it('an email change that may have landed behind its 503: the old address is told it may have changed, the replaced avatar is logged, not deleted, and the change stays counted', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const previous = process.env.RATE_LIMIT_PROFILE_USER;
    process.env.RATE_LIMIT_PROFILE_USER = '1/1h';
    resetConfig();
    const newEmail = newAccount().email;
    const run = await whileRowLocked((token) => patch(token, form({ email: newEmail }, [{ bytes: tinyPng(5, 5), filename: 'b.png' }])));
    try {
      expect(run.answer.status).toBe(503);
      await expect.poll(async () => (await run.row()).email).toBe(newEmail);
      await settleBackground();
      const notices = (await outboxMessages(getConfig().outboxDir)).filter((mail) => recipient(mail) === run.account.email && /email may have been changed/.test(mail.subject ?? ''));
      expect(notices).toHaveLength(1);
      expect(notices[0]!.text).toContain(newEmail);
      expect(fake.assets.has(run.first)).toBe(true); // it may still be the user's: never deleted on a guess
      expect(log.mock.calls.flat().join('\n')).toContain(`avatar ${run.first} may be replaced`);
      // The change was made: its slot was not given back.
      expect((await patch(run.token, JSON.stringify({ email: newAccount().email }), 'application/json')).status).toBe(429);
    } finally {
      await run.done();
      log.mockRestore();
      if (previous === undefined) delete process.env.RATE_LIMIT_PROFILE_USER;
      else process.env.RATE_LIMIT_PROFILE_USER = previous;
      resetConfig();
    }
  });

  it('a save of the same address, stored with capitals by an import, whose write may have landed: nobody is told', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    let stored = '';
    const run = await whileRowLocked(
      (token) => patch(token, JSON.stringify({ full_name: 'Saved', email: stored.toLowerCase() }), 'application/json'),
      async (locker, id) => {
        stored = (await locker.query('UPDATE users SET email = upper(email) WHERE id = $1 RETURNING email', [id])).rows[0].email;
      },
    );
    try {
      expect(run.answer.status).toBe(503);
      await expect.poll(async () => (await run.row()).full_name).toBe('Saved');
      await settleBackground();
      const notices = (await outboxMessages(getConfig().outboxDir)).filter((mail) => /email (may have been|was) changed/.test(mail.subject ?? '') && recipient(mail)?.toLowerCase() === run.account.email);
      expect(notices).toEqual([]);
    } finally {
      await run.done();
      log.mockRestore();
    }
  });
});
