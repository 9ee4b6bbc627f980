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
    'Mails a 6-digit code, valid for 10 minutes, to the account with this email; the answer is the same whether or not such an account exists. A newer request replaces the older code.',
  security: PUBLIC,
  request: {
    body: {
      required: true,
      content: {
        'application/json': { schema: ForgotPasswordRequest },
        'application/x-www-form-urlencoded': { schema: ForgotPasswordRequest },
      },
    },
  },
  responses: {
    202: {
      description: 'Accepted: if the account exists, a code is on its way.',
      content: { 'application/json': { schema: ForgotPasswordResponse } },
    },
    ...bodyErrors('application/json or application/x-www-form-urlencoded', { form: true }),
    ...rateLimited('reset requests for this address or email', 'forgotIp', 'forgotEmail'),
    ...internalError,
    ...unavailable('database', 'redis'),
  },
};
