import * as z from 'zod';
import { Email, Password } from './common.js';

export const ForgotPasswordRequest = z.strictObject({ email: Email });
export type ForgotPasswordRequest = z.infer<typeof ForgotPasswordRequest>;

/** The same body whether or not the address has an account, so it tells nobody which. */
export const ForgotPasswordResponse = z.object({
  detail: z.string().describe('Always the same text, whether or not the address has an account.'),
});
export type ForgotPasswordResponse = z.infer<typeof ForgotPasswordResponse>;

export const ResetPasswordRequest = z.strictObject({
  email: Email,
  otp: z.string().regex(/^\d{6}$/, 'Must be the 6 digits from the mail.').describe('The 6-digit code from the mail.'),
  new_password: Password,
});
export type ResetPasswordRequest = z.infer<typeof ResetPasswordRequest>;

export const ResetPasswordResponse = z.object({
  detail: z.string(),
});
export type ResetPasswordResponse = z.infer<typeof ResetPasswordResponse>;
