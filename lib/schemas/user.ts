import * as z from '../../vendor/zod/index.mjs';
import type { UserRow } from '../db/schema.js';

/** The user as every endpoint shows it: never a hash, a Google subject or an admin flag. */
export const PublicUser = z.object({
  id: z.uuid(),
  // Not Username's and Email's input rules either: accounts moved over from the FastAPI original keep
  // the names and addresses it stored unchecked (Google display names with spaces, an address as
  // username), and are shown as they are.
  username: z.string().describe('Unique regardless of letter case. Sign-up and profile changes take 3 to 32 letters, digits, "_", "." or "-"; accounts moved from the FastAPI original keep theirs as they were.'),
  email: z.string().describe('The email address. Sign-up and profile changes check its form and store it in lower case.'),
  // Not FullName's input rule: names stored before that rule, or by other means, are shown as they are.
  full_name: z.string().nullable().describe('Display name.'),
  avatar_url: z.url().nullable(),
  email_verified: z.boolean(),
  created_at: z.iso.datetime(),
}).meta({ id: 'PublicUser' });
export type PublicUser = z.infer<typeof PublicUser>;

/**
 * The user as `request` is answered. An avatar URL stored as a path (the dev server's own files,
 * see StoredAvatar) is made absolute on the host `request` named, as Vercel and the dev server set it.
 */
export function toPublicUser(user: UserRow, request: Request): PublicUser {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    full_name: user.fullName,
    avatar_url: user.avatarUrl?.startsWith('/') ? new URL(request.url).origin + user.avatarUrl : user.avatarUrl,
    email_verified: user.emailVerified,
    created_at: user.createdAt.toISOString(),
  };
}
