import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { RegisterRequest, RegisterResponse } from '../../schemas/auth.js';
import { bodyErrors, internalError, PUBLIC, rateLimited, storeUnavailable, taken } from '../responses.js';

/**
 * POST /api/register. When multipart sign-up lands, add `'multipart/form-data': { schema:
 * RegisterForm }` to `request.body.content` (RegisterRequest plus `avatar: AvatarFile.optional()`,
 * see lib/schemas/avatar.ts), name it in the 415 text, and add the avatar's 413/415 examples.
 */
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
      content: { 'application/json': { schema: RegisterRequest } },
    },
  },
  responses: {
    201: {
      description: 'The new user and an access token to send as `Authorization: Bearer <access_token>`.',
      content: { 'application/json': { schema: RegisterResponse } },
    },
    ...bodyErrors('application/json'),
    ...taken,
    ...rateLimited('sign-ups from this address'),
    ...internalError,
    ...storeUnavailable(),
  },
};
