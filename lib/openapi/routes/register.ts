import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { RegisterRequest, RegisterResponse } from '../../schemas/auth.js';
import { AvatarFile } from '../../schemas/avatar.js';
import { avatarErrors, bodyErrors, foreignForm, internalError, PUBLIC, rateLimited, unavailable, taken } from '../responses.js';

/** The multipart form of POST /api/register: the JSON fields plus an optional avatar file. */
const RegisterForm = RegisterRequest.extend({ avatar: AvatarFile.optional() }).meta({ id: 'RegisterForm' });

/** POST /api/register, as JSON or as multipart with an avatar. */
export const register: RouteConfig = {
  method: 'post',
  path: '/api/register',
  operationId: 'register',
  tags: ['Account'],
  summary: 'Sign up (and sign in)',
  description: 'Creates an account and answers it together with an access token, so the user is signed in at once.',
  security: PUBLIC,
  request: {
    body: {
      required: true,
      content: {
        'application/json': { schema: RegisterRequest },
        'multipart/form-data': { schema: RegisterForm },
      },
    },
  },
  responses: {
    201: {
      description: 'The new user and an access token to send as `Authorization: Bearer <access_token>`.',
      content: { 'application/json': { schema: RegisterResponse } },
    },
    ...bodyErrors('application/json or multipart/form-data', { schema: RegisterRequest, body: { username: 'ada lovelace', email: 'ada@example.com', password: 'short' } }, { multipart: true }),
    ...avatarErrors('application/json or multipart/form-data', Object.keys(RegisterRequest.shape)),
    ...foreignForm,
    ...taken,
    ...rateLimited('sign-ups from this address', 'registerIp'),
    ...internalError,
    ...unavailable('database', 'redis'),
  },
};
