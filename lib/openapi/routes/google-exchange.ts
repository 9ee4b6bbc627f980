import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { badRequest } from '../../http-errors.js';
import { TokenResponse } from '../../schemas/auth.js';
import { ExchangeRequest } from '../../schemas/google.js';
import { bodyErrors, internalError, problemResponse, PUBLIC, rateLimited, storeUnavailable } from '../responses.js';

/** POST /api/google/exchange. */
export const googleExchange: RouteConfig = {
  method: 'post',
  path: '/api/google/exchange',
  operationId: 'googleExchange',
  tags: ['Google sign-in'],
  summary: 'Trade the one-time code for a token',
  description:
    'The frontend posts the `code` it received at FRONTEND_CALLBACK_URL and gets an access token, so no token ever travels in a URL. Each code works once, within 60 seconds.',
  security: PUBLIC,
  request: { body: { required: true, content: { 'application/json': { schema: ExchangeRequest } } } },
  responses: {
    200: {
      description: 'An access token to send as `Authorization: Bearer <access_token>`.',
      content: { 'application/json': { schema: TokenResponse } },
    },
    ...bodyErrors('application/json'),
    400: problemResponse('The code is unknown, already used or expired (one message for all), or the body is not valid JSON.', {
      invalid_code: badRequest('The code is invalid or has expired.', 'invalid_code'),
      malformed_json: badRequest('The body is not valid JSON.', 'malformed_json'),
    }),
    ...rateLimited('code exchanges from this address'),
    ...internalError,
    ...storeUnavailable(),
  },
};
