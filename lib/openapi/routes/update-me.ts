import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { AvatarFile } from '../../schemas/avatar.js';
import { PROFILE_FORM_FIELDS, UpdateProfileRequest } from '../../schemas/profile.js';
import { PublicUser } from '../../schemas/user.js';
import { avatarErrors, bodyErrors, internalError, notSignedIn, rateLimited, SIGNED_IN, unavailable, taken } from '../responses.js';

/** The multipart form of PATCH /api/me: the JSON fields plus an optional avatar file. */
const UpdateMeForm = UpdateProfileRequest.extend({ avatar: AvatarFile.optional() }).meta({ id: 'UpdateMeForm' });

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
        'application/json': { schema: UpdateProfileRequest },
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
