import * as z from '../../vendor/zod/index.mjs';

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

/**
 * GET /api/google/start: optionally, the frontend's PKCE-style challenge (RFC 7636, S256 only),
 * which binds the one-time code to the browser that started the sign-in. Other parameters are ignored.
 */
export const GoogleStartQuery = z
  .object({
    code_challenge: z
      .string()
      .regex(/^[A-Za-z0-9_-]{43}$/, 'Must be the base64url SHA-256 of the code verifier: 43 characters, no padding.')
      .optional()
      .describe(
        'Recommended. BASE64URL(SHA-256(code_verifier)), without padding, from a random `code_verifier` the frontend keeps (e.g. in sessionStorage) and sends to /api/google/exchange. The one-time code then works only with that verifier, so a code from someone else\'s sign-in cannot sign this browser in (login CSRF).',
      ),
    code_challenge_method: z.literal('S256').optional().describe('Only `S256`, which is also the default.'),
  })
  .meta({ id: 'GoogleStartQuery' });
export type GoogleStartQuery = z.infer<typeof GoogleStartQuery>;

/** POST /api/google/exchange: the one-time code from `FRONTEND_CALLBACK_URL?code=…`, and the verifier of its challenge. */
export const ExchangeRequest = z
  .strictObject({
    code: z.string().min(1).max(256).describe('The `code` query parameter the frontend received at FRONTEND_CALLBACK_URL.'),
    code_verifier: z
      .string()
      .regex(/^[A-Za-z0-9._~-]{43,128}$/, 'Must be 43 to 128 characters of A-Z, a-z, 0-9, "-", ".", "_" and "~" (RFC 7636).')
      .optional()
      .describe(
        'The verifier whose challenge this browser sent to /api/google/start. Required when the sign-in started with `code_challenge`, and refused when it did not: either way a mismatch is the same 400 as an unknown code, and uses the code up.',
      ),
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
