import { and, eq, getTableColumns, ne, or, sql } from '../vendor/drizzle/index.mjs';
import { getDb, uniqueViolation } from './db/client.js';
import { users, type NewUserRow, type UserRow } from './db/schema.js';
import { problems } from './problems.js';

const FIELD_OF_CONSTRAINT: Record<string, string> = {
  users_username_lower_key: 'username',
  users_email_lower_key: 'email',
  users_google_sub_key: 'google_sub',
};

/** The login names a new or changed account asks for. */
type WantedNames = { username?: string | null; email?: string | null };

/**
 * Inserts a user in one round trip. A taken username or email (any letter case) is detected by
 * the unique index, not by a prior lookup, so concurrent sign-ups cannot both win: 409.
 *
 * @example const user = await createUser({ username, email, passwordHash });
 */
export async function createUser(values: NewUserRow): Promise<UserRow> {
  const db = await getDb();
  try {
    const [user] = await db.insert(users).values(values).returning();
    return user!;
  } catch (error) {
    throw await asConflict(error, values);
  }
}

/**
 * A unique-index violation as the 409; any other error as it is. The index names only the first
 * value it refused, so a second query (on this error path only) looks for the other: a sign-up
 * whose username and email are both taken hears of both at once. Should that query fail, the
 * 409 names the one field the index did.
 */
async function asConflict(error: unknown, wanted: WantedNames, exceptId?: string): Promise<unknown> {
  const constraint = uniqueViolation(error);
  if (!constraint) return error;
  const field = FIELD_OF_CONSTRAINT[constraint] ?? 'username';
  if (field === 'google_sub') return problems.taken([field]);
  const others: string[] = await takenNames(wanted, exceptId).catch(() => []);
  return problems.taken(NAME_FIELDS.filter((name) => name === field || others.includes(name)));
}

const NAME_FIELDS = ['username', 'email'] as const;

/** Which of `wanted`'s names another account than `exceptId` has, in any letter case: one query. */
async function takenNames(wanted: WantedNames, exceptId?: string): Promise<(typeof NAME_FIELDS)[number][]> {
  const asked = NAME_FIELDS.flatMap((field) => {
    const value = wanted[field];
    const column = field === 'username' ? users.username : users.email;
    return typeof value === 'string' ? [{ field, same: sql<boolean>`lower(${column}) = ${value.toLowerCase()}` }] : [];
  });
  if (asked.length === 0) return [];
  const db = await getDb();
  const rows = await db
    .select(Object.fromEntries(asked.map(({ field, same }) => [field, same])))
    .from(users)
    .where(and(or(...asked.map(({ same }) => same)), exceptId ? ne(users.id, exceptId) : undefined))
    .limit(2); // at most one account per name
  return asked.map(({ field }) => field).filter((field) => rows.some((row) => row[field] === true));
}

/**
 * Throws the 409 `createUser` would, naming every name taken, before slow work such as an avatar
 * upload, so that the common case wastes nothing. Only a courtesy: the unique indexes still decide
 * when requests race. `exceptId` is the user changing their own profile.
 *
 * @example await assertAvailable({ username, email });
 */
export async function assertAvailable(wanted: WantedNames, exceptId?: string): Promise<void> {
  const taken = await takenNames(wanted, exceptId);
  if (taken.length > 0) throw problems.taken(taken);
}

/**
 * Changes a user's row and answers it with the avatar key and email it had before, in one
 * statement: a CTE reads them under a row lock (FOR UPDATE) and the UPDATE joins it. Of two racing
 * avatar replacements the second waits for the first's lock and reads the key the first wrote, so each
 * deletes the one it replaced. One statement, not a transaction, because Neon's HTTP driver has no
 * interactive transactions (and it is one round trip instead of four).
 * A new email loses its verified mark, judged against the row as it is under the lock, not as the
 * request read it earlier (else a change back to an address that a reset verified meanwhile would
 * keep the mark without proof). Only while the token the request was checked with is still good:
 * a password reset or a block that lands while the request runs (a slow upload, a slow body) stops it.
 * `emailChanged`: the email is another address now, not the same one in other letter case.
 * 409 when the new username or email is taken; undefined when the user no longer exists, is
 * blocked, or its tokens of `tokenVersion` were revoked.
 *
 * @example const { user, previousAvatarKey } = (await updateUser(id, user.tokenVersion, { avatarUrl, avatarKey }))!;
 */
export async function updateUser(
  id: string,
  tokenVersion: number,
  changes: Partial<Pick<NewUserRow, 'username' | 'email' | 'fullName' | 'avatarUrl' | 'avatarKey'>>,
): Promise<{ user: UserRow; previousAvatarKey: string | null; previousEmail: string; emailChanged: boolean } | undefined> {
  const db = await getDb();
  const before = db.$with('before').as(
    db
      .select({ previousAvatarKey: sql<string | null>`${users.avatarKey}`.as('previous_avatar_key'), previousEmail: sql<string>`${users.email}`.as('previous_email') })
      .from(users)
      .where(eq(users.id, id))
      .for('update'),
  );
  try {
    const [row] = await db
      .with(before)
      .update(users)
      .set({
        ...changes,
        ...(changes.email !== undefined
          ? { emailVerified: sql`case when lower(${before.previousEmail}) = lower(${changes.email}) then ${users.emailVerified} else false end` }
          : {}),
      })
      .from(before)
      .where(and(eq(users.id, id), eq(users.tokenVersion, tokenVersion), eq(users.isBlocked, false)))
      .returning({
        ...getTableColumns(users),
        previousAvatarKey: before.previousAvatarKey,
        previousEmail: before.previousEmail,
        // Judged by the database's lower(), as the verified mark and the unique index are, not by
        // JavaScript's, which lower-cases some letters apart from it (İ).
        emailChanged: sql<boolean>`lower(${before.previousEmail}) <> lower(${users.email})`,
      });
    if (!row) return undefined;
    const { previousAvatarKey, previousEmail, emailChanged, ...user } = row;
    return { user, previousAvatarKey, previousEmail, emailChanged };
  } catch (error) {
    throw await asConflict(error, changes, id);
  }
}

/** An account's two login names as the database lower-cases them: the keys of its failure limit. */
export interface LoginKeys {
  usernameKey: string;
  emailKey: string;
}

/**
 * The user whose username or email is `login`, compared without letter case: the stored names
 * through the database's lower(), as the unique indexes are, against `login` lower-cased here,
 * the very string the per-account login limit is keyed by. So whatever spelling finds an account
 * is counted under one of that account's own keys. (Had the database lower-cased `login` too,
 * `mİmi` would find `mimi`: PostgreSQL lower-cases İ to `i`, JavaScript to `i` and a combining
 * dot, and each such spelling would have had a failure budget of its own.) With the user come
 * its two names lowered by the database (`LoginKeys`), for counting a failure under the other.
 */
export async function findUserByLogin(login: string): Promise<(UserRow & LoginKeys) | undefined> {
  const db = await getDb();
  const needle = login.toLowerCase();
  const [user] = await db
    .select({ ...getTableColumns(users), usernameKey: sql<string>`lower(${users.username})`, emailKey: sql<string>`lower(${users.email})` })
    .from(users)
    .where(or(sql`lower(${users.username}) = ${needle}`, sql`lower(${users.email}) = ${needle}`))
    .limit(1);
  return user;
}

export async function findUserById(id: string): Promise<UserRow | undefined> {
  const db = await getDb();
  const [user] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return user;
}

/**
 * Replaces a hash of a lower bcrypt cost by `to`, a hash of the same password at today's cost, but
 * only while the stored hash is still `from`: a password reset that lands during the slow re-hash
 * wins, and the old password does not come back.
 *
 * @example await upgradePasswordHash(user.id, user.passwordHash, await hashPassword(password));
 */
export async function upgradePasswordHash(id: string, from: string, to: string): Promise<void> {
  const db = await getDb();
  await db.update(users).set({ passwordHash: to }).where(and(eq(users.id, id), eq(users.passwordHash, from)));
}

/** The row's email is `email`, compared without letter case: on lower(email), as the unique index is. */
const hasEmail = (email: string) => sql`lower(${users.email}) = ${email.toLowerCase()}`;
/**
 * The row's email is still `email`, an address read from the row itself earlier: both sides
 * through the database's lower(). Not `hasEmail`: an imported address the two lower-case apart
 * (JavaScript turns İ into i and a combining dot, PostgreSQL into i) would never match its own row.
 */
const stillHasEmail = (email: string) => sql`lower(${users.email}) = lower(${email})`;

/**
 * The user with this email, compared without letter case: on lower(email), as the unique index
 * is, so the index serves it, and a row imported with its email as typed (not lower-cased, as
 * sign-up stores it) is found too.
 */
export async function findUserByEmail(email: string): Promise<UserRow | undefined> {
  const db = await getDb();
  const [user] = await db.select().from(users).where(hasEmail(email)).limit(1);
  return user;
}

/**
 * Sets a new password and bumps the token version in one statement, so every access token
 * issued before stops working at once. Only a reset by emailed code calls it, which proves the
 * mailbox `email`: the email is marked verified too, and a Google identity linked while the email
 * was unproved (an account that changed its email to this address) is unlinked, so that the
 * mailbox's owner does not share the account with whoever linked it. Only while the account still
 * has that email and is not blocked: false, and nothing changed, when it was changed meanwhile
 * (the code proved an address the account no longer has) or blocked meanwhile.
 *
 * @example if (!(await replacePassword(user.id, user.email, await hashPassword(input.new_password)))) throw …;
 */
export async function replacePassword(id: string, email: string, passwordHash: string): Promise<boolean> {
  const db = await getDb();
  const changed = await db
    .update(users)
    .set({
      passwordHash,
      emailVerified: true,
      googleSub: sql`case when ${users.emailVerified} then ${users.googleSub} else null end`,
      tokenVersion: sql`${users.tokenVersion} + 1`,
    })
    .where(and(eq(users.id, id), stillHasEmail(email), eq(users.isBlocked, false)))
    .returning({ id: users.id });
  return changed.length > 0;
}
