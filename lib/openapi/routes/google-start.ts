import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { unprocessable } from '../../http-errors.js';
import { problems } from '../../problems.js';
import { GoogleStartQuery } from '../../schemas/google.js';
import { internalError, problemResponse, PUBLIC } from '../responses.js';

/** GET /api/google/start. Its one 4xx is a malformed `code_challenge`: the frontend's mistake, not the user's. */
export const googleStart: RouteConfig = {
  method: 'get',
  path: '/api/google/start',
  operationId: 'googleStart',
  tags: ['Google sign-in'],
  summary: 'Start "Sign in with Google"',
  description:
    'Navigate the browser here (a link, not fetch): it redirects to Google, which comes back to /api/google/callback. The state and PKCE verifier ride in an encrypted, HttpOnly, 10-minute cookie. Requested on another host than GOOGLE_REDIRECT_URI names (a preview deployment), it first redirects to itself on that host, with the same query, since the cookie is kept only for the host that set it.',
  security: PUBLIC,
  request: { query: GoogleStartQuery },
  responses: {
    302: {
      description: 'Redirect to Google\'s consent page, with `state` and a PKCE challenge; or, on another host than GOOGLE_REDIRECT_URI\'s, to /api/google/start on that host.',
      headers: {
        Location: { description: 'Google\'s authorization URL, or /api/google/start on the host of GOOGLE_REDIRECT_URI.', schema: { type: 'string', format: 'uri' } },
        'Set-Cookie': { description: 'The encrypted state cookie (HttpOnly, SameSite=Lax, 10 minutes); not sent with the redirect to another host.', schema: { type: 'string' } },
      },
    },
    422: problemResponse('`code_challenge` is not 43 base64url characters, or `code_challenge_method` is not `S256`.', {
      invalid_fields: unprocessable([{ field: 'code_challenge', message: 'Must be the base64url SHA-256 of the code verifier: 43 characters, no padding.' }]),
    }),
    ...internalError,
    503: problemResponse('Google sign-in is not configured on this deployment (`GOOGLE_CLIENT_ID`/`_SECRET`).', {
      not_configured: problems.googleNotConfigured(),
    }),
  },
};
