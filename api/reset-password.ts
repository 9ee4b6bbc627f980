import { runAfterResponse } from '../lib/background.js';
import { readBody } from '../lib/body.js';
import { clientIp } from '../lib/client-ip.js';
import { endpoint } from '../lib/endpoint.js';
import { otherMethods } from '../lib/other-methods.js';
import { peekOtp, takeOtp, verifyOtp } from '../lib/otp.js';
import { problems } from '../lib/problems.js';
import { afterFailedPasswordWrite, tellOwnerOfNewPassword } from '../lib/password-reset.js';
import { checkPassword, hashPassword } from '../lib/passwords.js';
import { HttpError } from '../lib/http-errors.js';
import { enforceLimit, enforceTogether, giveBackIfTaken, refundLimit, reserveSlot, type Slot } from '../lib/rate-limit.js';
import { json } from '../lib/respond.js';
import { ResetPasswordRequest, type ResetPasswordResponse } from '../lib/schemas/password-reset.js';
import { findUserByEmail, replacePassword } from '../lib/users.js';
import { parseInput } from '../lib/validate.js';

/**
 * POST /api/reset-password: `{email, otp, new_password}`. 200 and every older token revoked;
 * one 400 for a wrong, used or expired code; 403 when the new password is the current one.
 * The code is checked before the 403 (else the 403 would test passwords for anyone), and only
 * consumed after it, atomically, so of racing requests with the right code exactly one wins.
 * Limits, per address: every attempt (RATE_LIMIT_RESET_EMAIL, short), and failures over every code
 * the address is sent (RATE_LIMIT_RESET_FAILURES, 10 a day): each code gets 5 tries and anyone can
 * have a new one mailed 3 times an hour, so without it ~15 guesses an hour at a 6-digit code would
 * go on for as long as the guesser likes (about 12% odds of a takeover in a year). A failure is a
 * wrong code (or a code for an address with no usable account), or a 403 (which with the right
 * code tests a password); each attempt reserves a slot, given back after the response when it was
 * neither (a success, a 5xx, a right code that a racing request used first). Per client IP: every
 * attempt (RATE_LIMIT_RESET_IP), so one client cannot spend the failures of address after address.
 * A request any limit refuses, or a 5xx ends, spends none of the address's budgets (its slots go
 * back after the response): a stranger over their own IP limit cannot keep an owner from resetting
 * for free, nor can an outage the owner retried through.
 */
export const POST = endpoint(async (request) => {
  const input = parseInput(ResetPasswordRequest, await readBody(request, ['json']));
  const attempts = reserveSlot('resetEmail', input.email);
  const failure = reserveSlot('resetFailures', input.email);
  const slot = await attempt(input, clientIp(request), attempts, failure).catch(async (error: unknown) => {
    const failed = error instanceof HttpError && (error.code === 'password_unchanged' || (error.code === 'invalid_code' && !rightCode.has(error)));
    if (!failed) await giveBackIfTaken('resetFailures', input.email, failure);
    // A 400 or 403 judged the attempt; a limit's 429 or an outage (an error, not an answer) did not.
    const judged = error instanceof HttpError && error.status < 500 && error.status !== 429;
    if (!judged) await giveBackIfTaken('resetEmail', input.email, attempts);
    throw error;
  });
  runAfterResponse('reset failures limit refund', () => refundLimit('resetFailures', input.email, slot));
  const body: ResetPasswordResponse = { detail: 'Your password was changed. Sign in with the new one.' };
  return json(body);
});

/**
 * The 400s answered to a code the first look judged right, which then could not be used: a racing
 * request took it, or the account's email changed meanwhile. No guess, so no failure counted.
 */
const rightCode = new WeakSet<HttpError>();
const rightButUnusable = () => {
  const refused = problems.invalidResetCode();
  rightCode.add(refused);
  return refused;
};

/** The reset itself, once the address's slots are reserved; answers the failure slot. */
async function attempt(input: ResetPasswordRequest, ip: string, attempts: Promise<Slot | undefined>, failure: Promise<Slot | undefined>): Promise<Slot | undefined> {
  // The limits and a first look at the code go to Redis together (one round trip, auto-pipelined).
  // The look counts nothing: a request a limit refuses must not spend one of the code's tries.
  const [, , slot, live] = await enforceTogether([enforceLimit('resetIp', ip), attempts, failure, peekOtp(input.email, input.otp)] as const);
  if (!live) {
    await verifyOtp(input.email, input.otp); // the limits let it try: the wrong guess counts
    throw problems.invalidResetCode();
  }
  const user = await findUserByEmail(input.email);
  if (!user || user.isBlocked) throw problems.invalidResetCode();
  if ((await checkPassword(input.new_password, user.passwordHash)).ok) {
    throw problems.passwordUnchanged();
  }
  const passwordHash = await hashPassword(input.new_password);
  // The guess was judged right by the look above; wrong now only if a newer code replaced it
  // meanwhile (or a racing request used it), which must not cost the new code one of its tries.
  if (!(await takeOtp(input.email, input.otp))) throw rightButUnusable();
  // The email may have changed since the lookup: the code proved the old address, not the new one.
  if (!(await replacePassword(user.id, user.email, passwordHash).catch((error: unknown) => afterFailedPasswordWrite(input.email, input.otp, user.email, error)))) {
    throw rightButUnusable();
  }
  tellOwnerOfNewPassword(user.email);
  return slot;
}

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
