import * as z from '../../vendor/zod/index.mjs';
import { Email, FullName, Username } from './common.js';

/**
 * PATCH /api/me: any of the fields, as JSON or multipart (where `avatar` is a file, to replace it).
 * An absent field is left as it is; an empty `full_name` clears it, and `"avatar": null` (JSON)
 * removes the avatar.
 */
export const UpdateProfileRequest = z
  .strictObject({
    username: Username.optional(),
    email: Email.optional(),
    full_name: FullName.optional(),
    avatar: z.null().optional().describe('`null` removes the avatar. To replace it, send a file in multipart/form-data.'),
  })
  .meta({ id: 'UpdateProfileRequest', minProperties: 1 }); // {} is a 422: at least one change
export type UpdateProfileRequest = z.infer<typeof UpdateProfileRequest>;

/** The text fields of PATCH /api/me's multipart form: `avatar` there is the file. */
export const PROFILE_FORM_FIELDS = Object.keys(UpdateProfileRequest.shape).filter((name) => name !== 'avatar');
