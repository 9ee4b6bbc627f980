import { eq, or, sql } from 'drizzle-orm';
import { getDb, uniqueViolation } from './db/client.js';
import { users, type NewUserRow, type UserRow } from './db/schema.js';
import { conflict } from './http-errors.js';

const FIELD_OF_CONSTRAINT: Record<string, string> = {
  users_username_lower_key: 'username',
  users_email_lower_key: 'email',
  users_google_sub_key: 'google_sub',
};

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
    const constraint = uniqueViolation(error);
    if (!constraint) throw error;
    const field = FIELD_OF_CONSTRAINT[constraint] ?? 'username';
    throw conflict(`That ${field.replace('_', ' ')} is already taken.`, [{ field, message: 'Already taken.' }]);
  }
}

/** The user whose username or email is `login`, compared without letter case. */
export async function findUserByLogin(login: string): Promise<UserRow | undefined> {
  const db = await getDb();
  const needle = login.toLowerCase();
  const [user] = await db
    .select()
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

export async function setPasswordHash(id: string, passwordHash: string): Promise<void> {
  const db = await getDb();
  await db.update(users).set({ passwordHash }).where(eq(users.id, id));
}

/** The user with this email (emails are stored lower-cased). */
export async function findUserByEmail(email: string): Promise<UserRow | undefined> {
  const db = await getDb();
  const [user] = await db.select().from(users).where(eq(users.email, email.toLowerCase())).limit(1);
  return user;
}

/**
 * Sets a new password and bumps the token version in one statement, so every access token
 * issued before stops working at once.
 *
 * @example await replacePassword(user.id, await hashPassword(input.new_password));
 */
export async function replacePassword(id: string, passwordHash: string): Promise<void> {
  const db = await getDb();
  await db
    .update(users)
    .set({ passwordHash, tokenVersion: sql`${users.tokenVersion} + 1` })
    .where(eq(users.id, id));
}
