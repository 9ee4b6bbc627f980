import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { payloadTooLarge, unsupportedMediaType } from '../../http-errors.js';
import { AvatarFile } from '../../schemas/avatar.js';
import { UpdateProfileRequest } from '../../schemas/profile.js';
import { PublicUser } from '../../schemas/user.js';
import { bodyErrors, internalError, notSignedIn, problemResponse, SIGNED_IN, taken } from '../responses.js';

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
    'Changes any of username, email, full name and avatar; fields left out stay as they are. Send multipart/form-data to upload an avatar; the old one is deleted once the new one is stored.',
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
    ...bodyErrors('application/json or multipart/form-data'),
    ...notSignedIn,
    ...taken,
    413: problemResponse('The body, or the avatar (2 MiB by default), is larger than the limit.', {
      avatar_too_large: payloadTooLarge('The avatar may be at most 2097152 bytes.'),
    }),
    415: problemResponse('The body is neither JSON nor multipart, or the avatar is not a PNG, JPEG, WebP or GIF image.', {
      wrong_type: unsupportedMediaType('Send the body as application/json or multipart/form-data.'),
      avatar_type: unsupportedMediaType('The avatar must be a PNG, JPEG, WebP or GIF image.'),
    }),
    ...internalError,
  },
};
