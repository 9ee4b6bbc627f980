import * as z from 'zod';

// Inputs of the Google sign-in endpoints. `.meta({ id })` names each one as a component of the
// OpenAPI document (lib/openapi/).

/**
 * What Google appends to GET /api/google/callback: `code` and `state`, or `error` on refusal, and
 * `iss`. Other parameters Google adds (`scope`, `authuser`, `prompt`) are ignored.
 */
export const GoogleCallbackQuery = z
  .object({
    code: z.string().max(2048).optional().describe('The authorization code from Google.'),
    state: z.string().max(512).optional().describe('The state sent by /api/google/start, checked against the cookie.'),
    error: z.string().max(200).optional().describe('Set by Google instead of `code` when the user refused.'),
    iss: z.string().max(200).optional().describe("The issuer of the response (RFC 9207); when present it must be Google's."),
  })
  .meta({ id: 'GoogleCallbackQuery' });
export type GoogleCallbackQuery = z.infer<typeof GoogleCallbackQuery>;

/** POST /api/google/exchange: the one-time code from `FRONTEND_CALLBACK_URL?code=…`. */
export const ExchangeRequest = z
  .strictObject({
    code: z.string().min(1).max(256).describe('The `code` query parameter the frontend received at FRONTEND_CALLBACK_URL.'),
  })
  .meta({ id: 'ExchangeRequest' });
export type ExchangeRequest = z.infer<typeof ExchangeRequest>;

/** The short codes the Google callback sends as `FRONTEND_CALLBACK_URL?error=…`. */
export const GoogleSignInError = z.enum([
  'access_denied',
  'invalid_state',
  'provider_error',
  'invalid_id_token',
  'email_not_verified',
  'account_conflict',
  'account_blocked',
  'server_error',
]);
export type GoogleSignInError = z.infer<typeof GoogleSignInError>;
