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
    'The frontend posts the `code` it received at FRONTEND_CALLBACK_URL and gets an access token, so no token ever travels in a URL. Each code works once, within 60 seconds.',
  security: PUBLIC,
  request: { body: { required: true, content: { 'application/json': { schema: ExchangeRequest } } } },
  responses: {
    200: {
      description: 'An access token to send as `Authorization: Bearer <access_token>`.',
      content: { 'application/json': { schema: TokenResponse } },
    },
    ...bodyErrors('application/json', {
      also400: { description: 'The code is unknown, already used or expired (one message for all).', examples: { invalid_code: problems.invalidExchangeCode() } },
    }),
    ...rateLimited('code exchanges from this address', 'exchangeIp'),
    ...internalError,
    ...unavailable('redis'),
  },
};
