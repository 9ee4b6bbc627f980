import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { docs } from './docs.js';
import { forgotPassword } from './forgot-password.js';
import { googleCallback } from './google-callback.js';
import { googleExchange } from './google-exchange.js';
import { googleStart } from './google-start.js';
import { login } from './login.js';
import { me } from './me.js';
import { register } from './register.js';
import { resetPassword } from './reset-password.js';
import { updateMe } from './update-me.js';

/**
 * Every operation of the API, one module each. To document an endpoint: write its module in this
 * folder (a `RouteConfig` built from the zod schemas its handler parses with) and list it here.
 * tests/openapi.test.ts fails when this list and the method exports of `api/` disagree.
 */
export const DOCUMENTED: RouteConfig[] = [
  register,
  login,
  me,
  updateMe,
  forgotPassword,
  resetPassword,
  googleStart,
  googleCallback,
  googleExchange,
  docs,
];
