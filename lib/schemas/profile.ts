import * as z from 'zod';
import { Email, FullName, Username } from './common.js';

/**
 * PATCH /api/me: any of the fields, as JSON or multipart (where `avatar` may also be a file).
 * An absent field is left as it is; an empty `full_name` clears it.
 */
export const UpdateProfileRequest = z
  .strictObject({
    username: Username.optional(),
    email: Email.optional(),
    full_name: FullName.optional(),
  })
  .meta({ id: 'UpdateProfileRequest' });
export type UpdateProfileRequest = z.infer<typeof UpdateProfileRequest>;
