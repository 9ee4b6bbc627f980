import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '../lib/db/client.js';
import { users } from '../lib/db/schema.js';
import { updateUser } from '../lib/users.js';
import { useDatabase } from './support/database.js';
import { lockUserRow } from './support/row-lock.js';
import { postgresAvailable } from './support/services.js';

// updateUser reads the avatar key it replaces under the row's lock (its CTE's FOR UPDATE): two
// replacements that overlap must each name a different old key, so that each deletes the one it
// replaced and none is deleted twice or left behind. tests/avatars-suite.ts races two requests,
// which seldom overlap; here they are made to, both queued on the lock before either writes.
describe.skipIf(!(await postgresAvailable()))('updateUser on PostgreSQL, two changes at the same moment', () => {
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    cleanup = await useDatabase('pg');
  });
  afterAll(() => cleanup?.());

  it('each reads the avatar key the other left: one replaces the first key, the other the one that replaced it', async () => {
    const db = await getDb();
    const id = Date.now().toString(36);
    const [user] = await db.insert(users).values({ username: `lk_${id}`, email: `lk_${id}@example.com`, passwordHash: 'x', avatarKey: 'k0', avatarUrl: 'https://example.com/k0.png' }).returning();
    const lock = await lockUserRow(user!.id);
    try {
      const changes = ['k1', 'k2'].map((key) => updateUser(user!.id, user!.tokenVersion, { avatarKey: key, avatarUrl: `https://example.com/${key}.png` }));
      await lock.waiters(2);
      await lock.commit();
      const results = await Promise.all(changes);
      const replaced = results.map((r) => r!.previousAvatarKey).sort();
      const final = results.map((r) => r!.user.avatarKey);
      // The one that wrote last replaced the other's key; the other replaced k0.
      const last = final.find((key) => !replaced.includes(key!))!;
      expect(replaced).toEqual(['k0', last === 'k1' ? 'k2' : 'k1'].sort());
    } finally {
      await lock.release();
    }
  });
});
