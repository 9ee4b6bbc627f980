import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { problems } from '../../problems.js';
import { LoginRequest, TokenResponse } from '../../schemas/auth.js';
import { bodyErrors, foreignForm, internalError, problemResponse, PUBLIC, rateLimited, unavailable } from '../responses.js';

/** POST /api/login: also the `tokenUrl` of the OAuth2 password flow, which Swagger UI's Authorize uses. */
export const login: RouteConfig = {
  method: 'post',
  path: '/api/login',
  operationId: 'login',
  tags: ['Account'],
  summary: 'Log in',
  description:
    'Trades a username (or email) and password for an access token. Accepts JSON or the OAuth2 password form, so OAuth2 clients and Swagger UI\'s "Authorize" work as they are.',
  security: PUBLIC,
  request: {
    body: {
      required: true,
      content: {
        'application/json': { schema: LoginRequest },
        'application/x-www-form-urlencoded': { schema: LoginRequest },
      },
    },
  },
  responses: {
    200: {
      description: 'An access token to send as `Authorization: Bearer <access_token>`.',
      content: { 'application/json': { schema: TokenResponse } },
    },
    ...bodyErrors('application/json or application/x-www-form-urlencoded', { schema: LoginRequest, body: { username: 'ada' } }, { form: true }),
    ...foreignForm,
    401: problemResponse(
      'The same answer, after the same work, for an unknown user, a wrong password or a blocked account, so it tells an attacker nothing.',
      { failed: problems.loginFailed() },
    ),
    ...rateLimited('login attempts for this address or account', 'loginIp', 'loginAccount'),
    ...internalError,
    ...unavailable('database', 'redis'),
  },
};
