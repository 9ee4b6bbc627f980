import * as z from 'zod';
import type { UserRow } from '../db/schema.js';
import { Email, Username } from './common.js';

/** The user as every endpoint shows it: never a hash, a Google subject or an admin flag. */
export const PublicUser = z.object({
  id: z.uuid(),
  username: Username,
  email: Email,
  // Not FullName's input rule: names stored before that rule, or by other means, are shown as they are.
  full_name: z.string().nullable().describe('Display name.'),
  avatar_url: z.url().nullable(),
  email_verified: z.boolean(),
  created_at: z.iso.datetime(),
}).meta({ id: 'PublicUser' });
export type PublicUser = z.infer<typeof PublicUser>;

export function toPublicUser(user: UserRow): PublicUser {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    full_name: user.fullName,
    avatar_url: user.avatarUrl,
    email_verified: user.emailVerified,
    created_at: user.createdAt.toISOString(),
  };
}
