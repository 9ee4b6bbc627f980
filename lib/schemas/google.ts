import * as z from 'zod';

/** POST /api/google/exchange: the one-time code from `FRONTEND_CALLBACK_URL?code=…`. */
export const ExchangeRequest = z.strictObject({
  code: z.string().min(1).max(256).describe('The one-time code the Google callback put in the frontend URL.'),
});
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
