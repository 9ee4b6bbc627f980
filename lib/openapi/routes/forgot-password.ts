import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { ForgotPasswordRequest, ForgotPasswordResponse } from '../../schemas/password-reset.js';
import { bodyErrors, internalError, PUBLIC, rateLimited, unavailable } from '../responses.js';

/** POST /api/forgot-password. */
export const forgotPassword: RouteConfig = {
  method: 'post',
  path: '/api/forgot-password',
  operationId: 'forgotPassword',
  tags: ['Password reset'],
  summary: 'Mail a password reset code',
  description:
    'Mails a 6-digit code, valid for 10 minutes, to the account with this email; the answer is the same whether or not such an account exists. A newer request replaces the older code. JSON only: a form (which a browser posts cross-site without a preflight) answers 415.',
  security: PUBLIC,
  request: {
    body: {
      required: true,
      content: {
        'application/json': { schema: ForgotPasswordRequest },
      },
    },
  },
  responses: {
    202: {
      description: 'Accepted: if the account exists, a code is on its way.',
      content: { 'application/json': { schema: ForgotPasswordResponse } },
    },
    ...bodyErrors('application/json', { schema: ForgotPasswordRequest, body: { email: 'ada@example' } }),
    ...rateLimited('reset requests for this address or email', 'forgotIp', 'forgotEmail'),
    ...internalError,
    ...unavailable('database', 'redis'),
  },
};
