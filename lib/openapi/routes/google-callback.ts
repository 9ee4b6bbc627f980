import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { GoogleCallbackQuery } from '../../schemas/google.js';
import { PUBLIC } from '../responses.js';

/** GET /api/google/callback. Every outcome is a redirect to the frontend, never an error page. */
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
          description: 'FRONTEND_CALLBACK_URL?code=<one-time code>, or FRONTEND_CALLBACK_URL?error=<short code>.',
          schema: { type: 'string', format: 'uri' },
        },
      },
    },
  },
};
