import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { PublicUser } from '../../schemas/user.js';
import { internalError, notSignedIn, SIGNED_IN, unavailable } from '../responses.js';

/** GET /api/me. */
export const me: RouteConfig = {
  method: 'get',
  path: '/api/me',
  operationId: 'getMe',
  tags: ['Profile'],
  summary: 'The signed-in user',
  description: 'Answers the user the bearer token belongs to; use it to check a stored token and to show the profile.',
  security: SIGNED_IN,
  responses: {
    200: { description: 'The signed-in user.', content: { 'application/json': { schema: PublicUser } } },
    ...notSignedIn,
    ...internalError,
    ...unavailable('database'),
  },
};
