import { randomBytes } from 'node:crypto';
import { and, eq, isNull, sql } from '../vendor/drizzle/index.mjs';
import { getDb, uniqueViolation } from './db/client.js';
import { users, type UserRow } from './db/schema.js';
import type { GoogleProfile } from './google-id-token.js';
import { GoogleSignInFailure } from './google-sign-in-error.js';
import { fitFullName } from './schemas/common.js';

/**
 * Finds, links or creates the account for a verified Google identity:
 * 1. an account with this `google_sub` signs in;
 * 2. else, only when Google says the email is verified, the account with that email is linked
 *    (its `google_sub` set, its email marked verified). If that account had never proved its
 *    email, Google's word is the first proof of who owns the address: the account is taken over,
 *    its password removed and its tokens revoked. Otherwise anyone could sign up with someone
 *    else's address first and keep a way into the account its owner later uses through Google
 *    (pre-account takeover). The same holds for another Google identity linked to an account
 *    whose email was then changed to this unproved address: it is replaced. The owner keeps the
 *    account and can set a password by reset;
 * 3. else a new account (unique username from the email or name, avatar from `picture`).
 * An unverified Google email never links nor creates (`email_not_verified`): it would let anyone
 * who types someone's address into a Google account take over theirs. A blocked account is
 * refused (`account_blocked`); an account already linked to another Google identity is not
 * relinked (`account_conflict`).
 *
 * Race-safe without a transaction: the unique indexes decide, and a request that loses a race
 * (two first sign-ins of the same person) starts over and finds the winner's row.
 *
 * @example const user = await signInWithGoogle(profile);
 */
export async function signInWithGoogle(profile: GoogleProfile): Promise<UserRow> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await resolveAccount(profile);
    } catch (error) {
      if (!(error instanceof LostRace) || attempt >= 2) throw error;
    }
  }
}

class LostRace extends Error {}

async function resolveAccount(profile: GoogleProfile): Promise<UserRow> {
  const db = await getDb();
  const [linked] = await db.select().from(users).where(eq(users.googleSub, profile.sub)).limit(1);
  if (linked) return usable(linked);

  if (!profile.email || !profile.emailVerified) {
    throw new GoogleSignInFailure('email_not_verified', 'Google did not verify this email; not linking nor creating');
  }
  const [sameEmail] = await db.select().from(users).where(sql`lower(${users.email}) = ${profile.email}`).limit(1);
  if (sameEmail) {
    usable(sameEmail);
    // Linked to this very identity since our first lookup: a concurrent sign-in got there first.
    if (sameEmail.googleSub === profile.sub) return sameEmail;
    // Another Google identity linked to an account whose (changed) email nobody proved does not
    // keep the address from its verified owner: the same takeover as for a password.
    const takeOver = !sameEmail.emailVerified;
    if (sameEmail.googleSub && !takeOver) throw new GoogleSignInFailure('account_conflict', 'account already linked to another Google identity');
    // The WHERE repeats what was decided on: a concurrent link, email change, verification or
    // block makes this update miss, and we start over.
    const [updated] = await db
      .update(users)
      .set({
        googleSub: profile.sub,
        emailVerified: true,
        ...(takeOver ? { passwordHash: null, tokenVersion: sql`${users.tokenVersion} + 1` } : {}),
      })
      .where(
        and(
          eq(users.id, sameEmail.id),
          sameEmail.googleSub ? eq(users.googleSub, sameEmail.googleSub) : isNull(users.googleSub),
          sql`lower(${users.email}) = ${profile.email}`,
          eq(users.emailVerified, sameEmail.emailVerified),
          eq(users.isBlocked, false), // blocked meanwhile: the retry then answers account_blocked
        ),
      )
      .returning()
      .catch(raceOnUnique);
    if (!updated) throw new LostRace();
    return updated;
  }
  return createGoogleUser(profile as GoogleProfile & { email: string });
}

function usable(user: UserRow): UserRow {
  if (user.isBlocked) throw new GoogleSignInFailure('account_blocked', 'account is blocked');
  return user;
}

/** A unique violation on `google_sub` or `email` means a concurrent request got there first. */
function raceOnUnique(error: unknown): never {
  const constraint = uniqueViolation(error);
  if (constraint === 'users_google_sub_key' || constraint === 'users_email_lower_key') throw new LostRace();
  throw error;
}

async function createGoogleUser(profile: GoogleProfile & { email: string }): Promise<UserRow> {
  const db = await getDb();
  const base = usernameBase(profile);
  for (let i = 0; i < 6; i++) {
    // First the plain name, then the name with a random suffix until one is free.
    const username = i === 0 ? base : `${base.slice(0, 27)}_${randomBytes(2).toString('hex')}`;
    try {
      const [user] = await db
        .insert(users)
        .values({
          username,
          email: profile.email,
          fullName: fitFullName(profile.name),
          googleSub: profile.sub,
          avatarUrl: httpsUrl(profile.picture),
          emailVerified: true,
        })
        .returning();
      return user!;
    } catch (error) {
      if (uniqueViolation(error) !== 'users_username_lower_key') raceOnUnique(error);
    }
  }
  throw new Error('could not find a free username');
}

/**
 * A username candidate: 3 to 32 of `[A-Za-z0-9_.-]` from the email's local part, else the name,
 * else `user_` and random hex. Uniqueness is settled at insert time.
 *
 * @example usernameBase({ email: 'ada.lovelace+news@gmail.com' }) // → "ada.lovelacenews"
 */
export function usernameBase(profile: { email?: string; name?: string }): string {
  const clean = (text: string | undefined) =>
    (text ?? '')
      .normalize('NFKD')
      .replace(/[^A-Za-z0-9_.-]+/g, '')
      .replace(/^[._-]+|[._-]+$/g, '')
      .slice(0, 32);
  for (const candidate of [clean(profile.email?.split('@')[0]), clean(profile.name)]) {
    if (candidate.length >= 3) return candidate;
  }
  return `user_${randomBytes(3).toString('hex')}`;
}

function httpsUrl(value: string | undefined): string | null {
  if (!value || value.length > 2000) return null;
  try {
    return new URL(value).protocol === 'https:' ? value : null;
  } catch {
    return null;
  }
}
