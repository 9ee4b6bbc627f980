import * as z from '../../vendor/zod/index.mjs';
import { Email, Password } from './common.js';

// Request and response bodies of POST /api/forgot-password and POST /api/reset-password.
// `.meta({ id })` names each one as a component of the OpenAPI document (lib/openapi/).

export const ForgotPasswordRequest = z
  .strictObject({ email: Email })
  .meta({ id: 'ForgotPasswordRequest' });
export type ForgotPasswordRequest = z.infer<typeof ForgotPasswordRequest>;

/** The same body whether or not the account exists, so the answer reveals nothing. */
export const ForgotPasswordResponse = z
  .object({ detail: z.string().describe('Says that a code was sent if the account exists.') })
  .meta({ id: 'ForgotPasswordResponse' });
export type ForgotPasswordResponse = z.infer<typeof ForgotPasswordResponse>;

/** Six digits exactly, as mailed; kept a string so leading zeros survive. */
export const Otp = z
  .string()
  .regex(/^\d{6}$/, 'Must be the 6 digits from the email.')
  .describe('The 6-digit code from the email.')
  .meta({ example: '042137' });

export const ResetPasswordRequest = z
  .strictObject({ email: Email, otp: Otp, new_password: Password.meta({ example: 'a new correct horse' }) })
  .meta({ id: 'ResetPasswordRequest' });
export type ResetPasswordRequest = z.infer<typeof ResetPasswordRequest>;

export const ResetPasswordResponse = z
  .object({ detail: z.string().describe('Says that the password was changed and older tokens no longer work.') })
  .meta({ id: 'ResetPasswordResponse' });
export type ResetPasswordResponse = z.infer<typeof ResetPasswordResponse>;
