import { eq } from '../vendor/drizzle/index.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '../lib/db/client.js';
import { users } from '../lib/db/schema.js';
import { signInWithGoogle } from '../lib/google-accounts.js';
import type { GoogleProfile } from '../lib/google-id-token.js';
import { GoogleSignInFailure } from '../lib/google-sign-in-error.js';
import { useDatabase } from './support/database.js';
import { lockUserRow } from './support/row-lock.js';
import { postgresAvailable } from './support/services.js';

let n = 0;
function profile(overrides: Partial<GoogleProfile> = {}): GoogleProfile {
  const id = `${Date.now().toString(36)}${(n++).toString(36)}`;
  return { sub: `sub-${id}`, email: `pg${id}@example.com`, emailVerified: true, name: 'Pat Postgres', picture: undefined, ...overrides };
}

async function rowsWithEmail(email: string) {
  const db = await getDb();
  return db.select().from(users).where(eq(users.email, email));
}

/** Account resolution on a real PostgreSQL through a connection pool, where requests truly overlap. */
describe.skipIf(!(await postgresAvailable()))('Google accounts on PostgreSQL under concurrency', () => {
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    cleanup = await useDatabase('pg');
  });
  afterAll(() => cleanup?.());

  // Several rounds each: a race only shows when the requests happen to interleave.
  it('five simultaneous first sign-ins of one identity make one account', async () => {
    for (let round = 0; round < 5; round++) {
      const p = profile();
      const results = await Promise.all(Array.from({ length: 5 }, () => signInWithGoogle(p)));
      expect(new Set(results.map((u) => u.id)).size).toBe(1);
      expect(await rowsWithEmail(p.email!)).toHaveLength(1);
    }
  });

  it('simultaneous sign-ins link an existing account once and create nothing', async () => {
    for (let round = 0; round < 5; round++) {
      const p = profile();
      const db = await getDb();
      const [existing] = await db.insert(users).values({ username: `pw_${p.sub}`.slice(0, 32), email: p.email!, passwordHash: 'x' }).returning();
      const results = await Promise.all(Array.from({ length: 4 }, () => signInWithGoogle(p)));
      expect(results.every((u) => u.id === existing!.id)).toBe(true);
      const rows = await rowsWithEmail(p.email!);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ googleSub: p.sub, emailVerified: true });
    }
  });

  it('two Google identities racing for one email: one account, the other refused with account_conflict', async () => {
    const email = profile().email;
    const outcomes = await Promise.allSettled([signInWithGoogle(profile({ email })), signInWithGoogle(profile({ email }))]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(GoogleSignInFailure);
    expect((lost[0]!.reason as GoogleSignInFailure).code).toBe('account_conflict');
    expect(await rowsWithEmail(email!)).toHaveLength(1);
  });

  it('an account blocked while its link waits on the row is neither linked nor changed: account_blocked', async () => {
    const p = profile();
    const db = await getDb();
    // Never proved: the link would also take the account over (password removed, tokens revoked).
    const [existing] = await db.insert(users).values({ username: `bl_${p.sub}`.slice(0, 32), email: p.email!, passwordHash: 'x' }).returning();
    const lock = await lockUserRow(existing!.id);
    try {
      const signingIn = outcome(signInWithGoogle(p));
      // The sign-in has read the row (unblocked) and waits on the lock to write its link.
      await lock.waiters(1);
      await lock.query('UPDATE users SET is_blocked = true WHERE id = $1', [existing!.id]);
      await lock.commit();
      expect(await signingIn).toBe('account_blocked');
      const [after] = await rowsWithEmail(p.email!);
      expect(after).toMatchObject({ googleSub: null, passwordHash: 'x', emailVerified: false, tokenVersion: existing!.tokenVersion, isBlocked: true });
    } finally {
      await lock.release();
    }
  });

  it('an account whose email changes while its link waits is not linked, and its new address not marked proved', async () => {
    const p = profile();
    const db = await getDb();
    const [existing] = await db.insert(users).values({ username: `em_${p.sub}`.slice(0, 32), email: p.email!, passwordHash: 'x' }).returning();
    const moved = `moved-${p.email}`;
    const lock = await lockUserRow(existing!.id);
    try {
      const signingIn = signInWithGoogle(p);
      await lock.waiters(1);
      await lock.query('UPDATE users SET email = $2 WHERE id = $1', [existing!.id, moved]);
      await lock.commit();
      // The address is free now: the sign-in makes an account of its own for it.
      expect((await signingIn).id).not.toBe(existing!.id);
      const [after] = await rowsWithEmail(moved);
      expect(after).toMatchObject({ id: existing!.id, googleSub: null, emailVerified: false, passwordHash: 'x', tokenVersion: existing!.tokenVersion });
    } finally {
      await lock.release();
    }
  });

  it('an account proved while its takeover waits (a reset) is linked without the takeover: its new password and tokens stay', async () => {
    const p = profile();
    const db = await getDb();
    // Never proved: a link would take it over (password removed, tokens revoked), as decided on the first read.
    const [existing] = await db.insert(users).values({ username: `pv_${p.sub}`.slice(0, 32), email: p.email!, passwordHash: 'x' }).returning();
    const lock = await lockUserRow(existing!.id);
    try {
      const signingIn = signInWithGoogle(p);
      await lock.waiters(1);
      // What a reset by emailed code writes: the address proved, a new password, older tokens revoked.
      await lock.query('UPDATE users SET email_verified = true, password_hash = $2, token_version = token_version + 1 WHERE id = $1', [existing!.id, 'y']);
      await lock.commit();
      expect((await signingIn).id).toBe(existing!.id);
      const [after] = await rowsWithEmail(p.email!);
      expect(after).toMatchObject({ googleSub: p.sub, emailVerified: true, passwordHash: 'y', tokenVersion: existing!.tokenVersion + 1 });
    } finally {
      await lock.release();
    }
  });

  it('two Google identities linking one existing proved account at the same moment: one links, the other gets account_conflict', async () => {
    const email = profile().email!;
    const db = await getDb();
    const [existing] = await db.insert(users).values({ username: `tw_${Date.now().toString(36)}`, email, passwordHash: 'x', emailVerified: true }).returning();
    const [first, second] = [profile({ email }), profile({ email })];
    const lock = await lockUserRow(existing!.id);
    try {
      // Both read the row unlinked and wait on its lock to write their link.
      const outcomes = [outcome(signInWithGoogle(first)), outcome(signInWithGoogle(second))];
      await lock.waiters(2);
      await lock.commit();
      expect((await Promise.all(outcomes)).sort()).toEqual(['account_conflict', 'signed in']);
      const [after] = await rowsWithEmail(email);
      expect([first.sub, second.sub]).toContain(after!.googleSub);
      expect(after).toMatchObject({ passwordHash: 'x', tokenVersion: existing!.tokenVersion });
    } finally {
      await lock.release();
    }
  });
});

/** 'signed in', or the failure's code. */
const outcome = (signingIn: Promise<unknown>) => signingIn.then(() => 'signed in', (error: unknown) => (error instanceof GoogleSignInFailure ? error.code : String(error)));
