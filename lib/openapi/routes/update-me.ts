import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { AvatarFile } from '../../schemas/avatar.js';
import { PROFILE_FORM_FIELDS, UpdateProfileForm, UpdateProfileRequest } from '../../schemas/profile.js';
import { PublicUser } from '../../schemas/user.js';
import { avatarErrors, bodyErrors, internalError, notSignedIn, rateLimited, SIGNED_IN, unavailable, taken } from '../responses.js';

/**
 * The multipart form of PATCH /api/me: its text fields plus an optional avatar file. Swagger UI
 * fills a form's fields from their examples and sends every one, so a username or email left
 * empty must mean "unchanged" (with the sign-up's examples, `ada`, "Try it out" with only a file
 * chosen renamed the account and moved its email: `tests/docs-browser.test.ts`).
 */
const UpdateMeForm = UpdateProfileForm.extend({ avatar: AvatarFile.optional() }).meta({ id: 'UpdateMeForm' });

/** What "Try it out" sends as JSON: a display name only, so running it as filled in changes no name or email. */
const JSON_EXAMPLE = { full_name: 'Ada Lovelace' };

/** PATCH /api/me. */
export const updateMe: RouteConfig = {
  method: 'patch',
  path: '/api/me',
  operationId: 'updateMe',
  tags: ['Profile'],
  summary: 'Change the profile',
  description:
    'Changes any of username, email, full name and avatar; fields left out stay as they are. A changed email is no longer verified, and the old address gets a notice of the change. Send multipart/form-data to upload an avatar; the old one is deleted once the new one is stored.',
  security: SIGNED_IN,
  request: {
    body: {
      required: true,
      content: {
        'application/json': { schema: UpdateProfileRequest, example: JSON_EXAMPLE },
        'multipart/form-data': { schema: UpdateMeForm },
      },
    },
  },
  responses: {
    200: { description: 'The user as it is now.', content: { 'application/json': { schema: PublicUser } } },
    ...bodyErrors('application/json or multipart/form-data', { schema: UpdateProfileRequest, body: { username: 'ada lovelace', colour: 'blue' } }, { multipart: true }),
    ...notSignedIn,
    ...taken,
    ...avatarErrors('application/json or multipart/form-data', PROFILE_FORM_FIELDS),
    ...rateLimited('changes of username or email by this account or from this client address (a request changing either counts, taken or not; one sent as it already is does not), or avatar uploads (a request with a file counts)', 'profileUser', 'profileIp', 'avatarUser'),
    ...internalError,
    ...unavailable('database', 'redis'),
  },
};
