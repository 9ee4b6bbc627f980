import { z } from 'zod';

// Inputs of the Google sign-in endpoints. `.meta({ id })` names each one as a component of the
// OpenAPI document (lib/openapi/).

/** What Google appends to GET /api/google/callback: `code` and `state`, or `error` on refusal. */
export const GoogleCallbackQuery = z
  .object({
    code: z.string().max(2048).optional().describe('The authorization code from Google.'),
    state: z.string().max(512).optional().describe('The state sent by /api/google/start, checked against the cookie.'),
    error: z.string().max(200).optional().describe('Set by Google instead of `code` when the user refused.'),
  })
  .meta({ id: 'GoogleCallbackQuery' });
export type GoogleCallbackQuery = z.infer<typeof GoogleCallbackQuery>;

/** The one-time code that /api/google/callback put in the frontend's URL. */
export const ExchangeRequest = z
  .strictObject({
    code: z.string().min(1).max(200).describe('The `code` query parameter the frontend received at FRONTEND_CALLBACK_URL.'),
  })
  .meta({ id: 'ExchangeRequest' });
export type ExchangeRequest = z.infer<typeof ExchangeRequest>;
