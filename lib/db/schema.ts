import { sql } from '../../vendor/drizzle/index.mjs';
import { boolean, integer, pgTable, text, timestamp, uniqueIndex, uuid } from '../../vendor/drizzle/pg-core.mjs';

/**
 * Accounts. Username and email are unique whatever their letter case (expression indexes on
 * `lower()`), so `Alice` and `alice` cannot both sign up; the stored spelling is kept for display.
 */
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    username: text('username').notNull(),
    email: text('email').notNull(),
    fullName: text('full_name'),
    /** Null for accounts that only ever signed in with Google. */
    passwordHash: text('password_hash'),
    googleSub: text('google_sub').unique('users_google_sub_key'),
    avatarUrl: text('avatar_url'),
    /** Where the avatar is stored (Cloudinary `public_id`, or the local file name), to delete it later. */
    avatarKey: text('avatar_key'),
    emailVerified: boolean('email_verified').notNull().default(false),
    isAdmin: boolean('is_admin').notNull().default(false),
    isBlocked: boolean('is_blocked').notNull().default(false),
    /** Copied into every access token; bumping it revokes all tokens issued before. */
    tokenVersion: integer('token_version').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true })
      .notNull()
      .defaultNow()
      .$onUpdate(() => new Date()),
  },
  (t) => [
    uniqueIndex('users_username_lower_key').on(sql`lower(${t.username})`),
    uniqueIndex('users_email_lower_key').on(sql`lower(${t.email})`),
  ],
);

export type UserRow = typeof users.$inferSelect;
export type NewUserRow = typeof users.$inferInsert;
