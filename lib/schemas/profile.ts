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
    avatar: z.null({ error: 'Only null, which removes the avatar: send a new one as a file in multipart/form-data.' }).optional().describe('`null` removes the avatar. To replace it, send a file in multipart/form-data.'),
  })
  .meta({ id: 'UpdateProfileRequest', minProperties: 1 }); // {} is a 422: at least one change
export type UpdateProfileRequest = z.infer<typeof UpdateProfileRequest>;

/** An empty text field of a form: one left as it is. */
const leftAsItIs = <T extends z.ZodType>(field: T) =>
  z.literal('').transform(() => undefined).or(field).optional().describe(`${field.description} Left empty: unchanged.`).meta({ example: '' });

/**
 * PATCH /api/me's multipart form: the same fields, but an empty `username` or `email` is one left
 * as it is, since a form sends every field it has, filled in or not (an HTML form, Swagger UI's
 * "Try it out"); neither can be emptied. An empty `full_name` still clears the display name.
 */
export const UpdateProfileForm = UpdateProfileRequest.extend({ username: leftAsItIs(Username), email: leftAsItIs(Email) });

/** The text fields of PATCH /api/me's multipart form: `avatar` there is the file. */
export const PROFILE_FORM_FIELDS = Object.keys(UpdateProfileRequest.shape).filter((name) => name !== 'avatar');
