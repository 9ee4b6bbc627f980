import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { problems } from '../../problems.js';
import { TokenResponse } from '../../schemas/auth.js';
import { ExchangeRequest } from '../../schemas/google.js';
import { bodyErrors, internalError, PUBLIC, rateLimited, unavailable } from '../responses.js';

/** POST /api/google/exchange. */
export const googleExchange: RouteConfig = {
  method: 'post',
  path: '/api/google/exchange',
  operationId: 'googleExchange',
  tags: ['Google sign-in'],
  summary: 'Trade the one-time code for a token',
  description:
    'The frontend posts the `code` it received at FRONTEND_CALLBACK_URL and gets an access token, so no token ever travels in a URL. Each code works once, within 60 seconds. A frontend that started the sign-in with `code_challenge` (recommended) sends its `code_verifier` too: the code then works only in the browser that started the sign-in.',
  security: PUBLIC,
  request: { body: { required: true, content: { 'application/json': { schema: ExchangeRequest } } } },
  responses: {
    200: {
      description: 'An access token to send as `Authorization: Bearer <access_token>`.',
      content: { 'application/json': { schema: TokenResponse } },
    },
    ...bodyErrors('application/json', { schema: ExchangeRequest, body: { code_verifier: 'short' } }, {
      also400: {
        description:
          'The code is unknown, already used or expired, or `code_verifier` does not answer the sign-in\'s `code_challenge` (missing, wrong, or sent for a sign-in started without one; the code is then used up): one message for all.',
        examples: { invalid_code: problems.invalidExchangeCode() },
      },
    }),
    ...rateLimited('code exchanges from this address', 'exchangeIp'),
    ...internalError,
    ...unavailable('redis'),
  },
};
