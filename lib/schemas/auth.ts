import * as z from '../../vendor/zod/index.mjs';
import { Email, FullName, Password, TypedPassword, Username } from './common.js';
import { PublicUser } from './user.js';

export const RegisterRequest = z.strictObject({
  username: Username,
  email: Email,
  password: Password,
  full_name: FullName.optional(),
}).meta({ id: 'RegisterRequest' });
export type RegisterRequest = z.infer<typeof RegisterRequest>;

/**
 * JSON `{username, password}` or the OAuth2 password form. `username` may be the email.
 * The OAuth2 form's extra fields are accepted and ignored. The password is only length-capped
 * here, so that a wrong-length password fails like any wrong one: 401, not 422.
 */
export const LoginRequest = z.strictObject({
  username: z.string().trim().min(1).max(320).describe('The username or the email address (spaces around it are dropped).').meta({ example: 'ada' }),
  password: TypedPassword.min(1).max(1024).meta({ example: 'correct horse' }),
  grant_type: z.literal('password').optional(),
  scope: z.string().max(1000).optional(),
  client_id: z.string().max(200).optional(),
  client_secret: z.string().max(200).optional(),
}).meta({ id: 'LoginRequest' });
export type LoginRequest = z.infer<typeof LoginRequest>;

export const TokenResponse = z.object({
  access_token: z.string().describe('A JWT to send as `Authorization: Bearer <token>`.'),
  token_type: z.literal('bearer'),
  expires_in: z.number().int().describe('Seconds until the token expires.'),
}).meta({ id: 'TokenResponse' });
export type TokenResponse = z.infer<typeof TokenResponse>;

export const RegisterResponse = TokenResponse.extend({ user: PublicUser }).meta({ id: 'RegisterResponse' });
export type RegisterResponse = z.infer<typeof RegisterResponse>;
