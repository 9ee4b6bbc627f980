import { readBody } from '../lib/body.js';
import { clientIp } from '../lib/client-ip.js';
import { endpoint, preflight } from '../lib/endpoint.js';
import { unauthorized } from '../lib/http-errors.js';
import { checkPassword, hashPassword } from '../lib/passwords.js';
import { checkLimit, enforceLimit, recordFailure } from '../lib/rate-limit.js';
import { json } from '../lib/respond.js';
import { LoginRequest } from '../lib/schemas/auth.js';
import { issueAccessToken } from '../lib/tokens.js';
import { findUserByLogin, setPasswordHash } from '../lib/users.js';
import { parseInput } from '../lib/validate.js';

const FAILED = 'Incorrect username or password.';

/**
 * POST /api/login: JSON or the OAuth2 password form; `username` may be the email.
 * Every failure (unknown user, wrong password, blocked, Google-only) is the same 401 after
 * the same bcrypt work, so neither the answer nor its timing tells which.
 * Rate limits: every attempt counts per client IP; only failures count per account, in a short
 * window (no long lockout a stranger could impose on the owner).
 */
export const POST = endpoint(async (request) => {
  await enforceLimit('loginIp', clientIp(request));
  const input = parseInput(LoginRequest, await readBody(request, ['json', 'form']));
  const user = await findUserByLogin(input.username);
  const account = user?.id ?? `unknown:${input.username.toLowerCase()}`;
  await checkLimit('loginAccount', account);
  const { ok, needsRehash } = await checkPassword(input.password, user?.passwordHash);
  if (!user || !ok || user.isBlocked) {
    await recordFailure('loginAccount', account);
    throw unauthorized(FAILED);
  }
  if (needsRehash) await setPasswordHash(user.id, await hashPassword(input.password));
  return json(await issueAccessToken(user));
});

export const OPTIONS = preflight(['POST']);
