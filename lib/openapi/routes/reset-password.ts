import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { problems } from '../../problems.js';
import { ResetPasswordRequest, ResetPasswordResponse } from '../../schemas/password-reset.js';
import { bodyErrors, internalError, problemResponse, PUBLIC, rateLimited, unavailable } from '../responses.js';

/** POST /api/reset-password. */
export const resetPassword: RouteConfig = {
  method: 'post',
  path: '/api/reset-password',
  operationId: 'resetPassword',
  tags: ['Password reset'],
  summary: 'Set a new password with the mailed code',
  description:
    'Sets a new password when the code from /api/forgot-password is right; every access token issued before stops working. A code allows 5 tries and is used once; an email address allows a number of failed resets a day (10 by default: a wrong code, or the current password as the new one), whatever code they were sent with, after which even the right code is answered 429 until enough of the (sliding) window has passed.',
  security: PUBLIC,
  request: { body: { required: true, content: { 'application/json': { schema: ResetPasswordRequest } } } },
  responses: {
    200: {
      description: 'The password is changed; log in again with it.',
      content: { 'application/json': { schema: ResetPasswordResponse } },
    },
    ...bodyErrors('application/json', { schema: ResetPasswordRequest, body: { email: 'ada@example.com', otp: '12ab56', new_password: 'a new password' } }, {
      also400: { description: 'The code is wrong, used, expired or replaced (one message for all).', examples: { invalid_code: problems.invalidResetCode() } },
    }),
    403: problemResponse('The new password is the current one.', {
      password_unchanged: problems.passwordUnchanged(),
    }),
    ...rateLimited('reset attempts from this address, or for this email, or failed resets for this email', 'resetIp', 'resetEmail', 'resetFailures'),
    ...internalError,
    ...unavailable('database', 'redis'),
  },
};
