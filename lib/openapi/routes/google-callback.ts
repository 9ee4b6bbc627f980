import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { problems } from '../../problems.js';
import { GoogleCallbackQuery, GoogleSignInError } from '../../schemas/google.js';
import { internalError, problemResponse, PUBLIC } from '../responses.js';

/**
 * GET /api/google/callback. Every outcome of a sign-in is a redirect to the frontend, never an
 * error page; only a deployment without Google sign-in (503) or a misconfigured one (500) answers
 * problem+json.
 */
export const googleCallback: RouteConfig = {
  method: 'get',
  path: '/api/google/callback',
  operationId: 'googleCallback',
  tags: ['Google sign-in'],
  summary: 'Google\'s return address',
  description:
    'Google redirects here; the frontend never calls it. It always redirects on to FRONTEND_CALLBACK_URL: with `?code=` (a one-time code for /api/google/exchange, valid 60 seconds) or with `?error=` (a short code such as `access_denied`, `invalid_state` or `email_not_verified`).',
  security: PUBLIC,
  request: { query: GoogleCallbackQuery },
  responses: {
    302: {
      description: 'Redirect to FRONTEND_CALLBACK_URL with `code` on success or `error` on failure.',
      headers: {
        Location: {
          description: `FRONTEND_CALLBACK_URL?code=<one-time code>, or FRONTEND_CALLBACK_URL?error=<short code>, one of: ${GoogleSignInError.options.map((c) => `\`${c}\``).join(', ')}.`,
          schema: { type: 'string', format: 'uri' },
        },
        'Set-Cookie': {
          description:
            'Clears the sign-in cookie that /api/google/start set, once the answer\'s `state` matched it, whatever follows. Absent when it did not (`invalid_state`): a callback that is not this flow\'s (an older tab\'s, a stray link) leaves the sign-in in progress.',
          required: false,
          schema: { type: 'string' },
        },
      },
    },
    ...internalError,
    503: problemResponse('Google sign-in is not configured on this deployment (`GOOGLE_CLIENT_ID`/`_SECRET`).', {
      not_configured: problems.googleNotConfigured(),
    }),
  },
};
