import { readBody } from '../lib/body.js';
import { clientIp } from '../lib/client-ip.js';
import { refuseForeignForm } from '../lib/cors.js';
import { endpoint } from '../lib/endpoint.js';
import { otherMethods } from '../lib/other-methods.js';
import { problems } from '../lib/problems.js';
import { checkPassword, hashPassword } from '../lib/passwords.js';
import { runAfterResponse } from '../lib/background.js';
import { countAgainstLimit, enforceLimit, enforceTogether, giveBackIfTaken, refundLimit, reserveSlot } from '../lib/rate-limit.js';
import { json } from '../lib/respond.js';
import { LoginRequest } from '../lib/schemas/auth.js';
import { issueAccessToken } from '../lib/tokens.js';
import { findUserByLogin, upgradePasswordHash } from '../lib/users.js';
import { parseInput } from '../lib/validate.js';

/**
 * POST /api/login: JSON or the OAuth2 password form; `username` may be the email.
 * Every failure (unknown user, wrong password, blocked, Google-only) is the same 401 after
 * the same bcrypt work, so neither the answer nor its timing tells which.
 * Rate limits: every attempt counts per client IP; only failures count per login name, in a short
 * window (no long lockout a stranger could impose on the owner): each attempt reserves a slot,
 * a success gives it back after the response. Both limits go to Redis together (one round trip,
 * auto-pipelined), then the user is looked up (one query): a request a limit refuses costs the
 * database nothing, so the per-IP limit shields it from a flood of made-up names.
 * Decision: the per-account key is the login name as typed (lower-cased), not the user id, so it
 * is known before the lookup and costs no extra round trip. So that alternating the username and
 * the email does not double the budget, a failure on an existing account is also counted, after
 * the response, under its other login name. (Someone who already knows a username and an email
 * can then tell, by the shared count, that they are one account; sign-up's 409 already tells
 * that each is taken.)
 */
export const POST = endpoint(async (request) => {
  refuseForeignForm(request);
  const input = parseInput(LoginRequest, await readBody(request, ['json', 'form']));
  const login = input.username.toLowerCase();
  const account = reserveSlot('loginAccount', login);
  const { slot, user } = await (async () => {
    const [, reserved] = await enforceTogether([enforceLimit('loginIp', clientIp(request)), account]);
    return { slot: reserved, user: await findUserByLogin(login) };
  })().catch(async (error: unknown) => {
    // Refused by a limit, or a failing store or database: no password was checked, so this is no
    // failed sign-in of the account's, and the slot it reserved is given back.
    await giveBackIfTaken('loginAccount', login, account);
    throw error;
  });
  const { ok, needsRehash } = await checkPassword(input.password, user?.passwordHash);
  if (!user || !ok || user.isBlocked) {
    // The account's other name, lowered as the lookup lowered it: that is the key its logins count under.
    const other = user && (login === user.emailKey ? user.usernameKey : user.emailKey);
    // Scheduled for unknown names too (doing nothing): the first scheduling on an instance loads
    // @vercel/functions, which would otherwise make a cold instance's first failure on a real
    // account slower than on a made-up one.
    runAfterResponse('login limit cross-count', async () => {
      if (other && other !== login) await countAgainstLimit('loginAccount', other);
    });
    throw problems.loginFailed();
  }
  runAfterResponse('login limit refund', () => refundLimit('loginAccount', login, slot));
  if (needsRehash) await upgradePasswordHash(user.id, user.passwordHash!, await hashPassword(input.password));
  return json(await issueAccessToken(user));
});

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
