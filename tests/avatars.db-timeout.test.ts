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

  it('answers 503 and keeps the new image, which the row may point at once the write lands: never a broken avatar', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const signUp = await registration.POST(new Request(`${BASE}/api/register`, { method: 'POST', body: form(newAccount(), [{ bytes: tinyPng(), filename: 'a.png' }]) }));
    const { access_token: token, user } = await signUp.json();
    // Another session holds the user's row, so the PATCH's UPDATE waits past the deadline.
    const locker = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [user.id]);
      const body = form({ full_name: 'New' }, [{ bytes: tinyPng(5, 5), filename: 'b.png' }]);
      const answer = await me.PATCH(new Request(`${BASE}/api/me`, { method: 'PATCH', headers: { authorization: `Bearer ${token}` }, body }));
      expect(answer.status).toBe(503);
      const uploaded = fake.calls.filter((c) => c.action === 'upload').at(-1)!.publicId!;
      await locker.query('COMMIT'); // the waiting UPDATE now runs, and commits
      let stored: { full_name: string; avatar_key: string } | undefined;
      await expect
        .poll(async () => {
          stored = (await locker.query('SELECT full_name, avatar_key FROM users WHERE id = $1', [user.id])).rows[0];
          return stored!.avatar_key;
        })
        .toBe(uploaded);
      await settleBackground();
      expect(stored!.full_name).toBe('New');
      expect(fake.assets.has(uploaded)).toBe(true);
      expect(log.mock.calls.flat().join('\n')).toContain(`avatar ${uploaded} kept`);
    } finally {
      await locker.end();
      log.mockRestore();
    }
  });

  it('an email change that may have landed behind its 503: the old address is told it may have changed, the replaced avatar is logged, not deleted', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const account = newAccount();
    const signUp = await registration.POST(new Request(`${BASE}/api/register`, { method: 'POST', body: form(account, [{ bytes: tinyPng(), filename: 'a.png' }]) }));
    const { access_token: token, user } = await signUp.json();
    const first = fake.calls.filter((c) => c.action === 'upload').at(-1)!.publicId!;
    const newEmail = newAccount().email;
    const locker = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [user.id]);
      const body = form({ email: newEmail }, [{ bytes: tinyPng(5, 5), filename: 'b.png' }]);
      const answer = await me.PATCH(new Request(`${BASE}/api/me`, { method: 'PATCH', headers: { authorization: `Bearer ${token}` }, body }));
      expect(answer.status).toBe(503);
      await locker.query('COMMIT');
      await expect.poll(async () => (await locker.query('SELECT email FROM users WHERE id = $1', [user.id])).rows[0].email).toBe(newEmail);
      await settleBackground();
      const notices = (await outboxMessages(getConfig().outboxDir)).filter((mail) => recipient(mail) === account.email && /email may have been changed/.test(mail.subject ?? ''));
      expect(notices).toHaveLength(1);
      expect(notices[0]!.text).toContain(newEmail);
      expect(fake.assets.has(first)).toBe(true); // it may still be the user's: never deleted on a guess
      expect(log.mock.calls.flat().join('\n')).toContain(`avatar ${first} may be replaced`);
    } finally {
      await locker.end();
      log.mockRestore();
    }
  });
});
