import { runAfterResponse } from '../lib/background.js';
import { readBody } from '../lib/body.js';
import { clientIp } from '../lib/client-ip.js';
import { getConfig } from '../lib/config.js';
import { endpoint } from '../lib/endpoint.js';
import { otherMethods } from '../lib/other-methods.js';
import { sendMail } from '../lib/mail.js';
import { issueOtp } from '../lib/otp.js';
import { resetCodeMail } from '../lib/password-mail.js';
import { enforceLimit, enforceTogether, giveBackIfTaken, reserveSlot } from '../lib/rate-limit.js';
import { json } from '../lib/respond.js';
import { ForgotPasswordRequest, type ForgotPasswordResponse } from '../lib/schemas/password-reset.js';
import { findUserByEmail } from '../lib/users.js';
import { parseInput } from '../lib/validate.js';

const ACCEPTED: ForgotPasswordResponse = {
  detail: 'If an account uses this address, a reset code is on its way. It expires in a few minutes.',
};

/**
 * POST /api/forgot-password: mails a 6-digit reset code. 202 with one fixed body either way.
 * A code is issued (one Redis write) for unknown addresses too, and the after-response step that
 * mails it is scheduled either way (it mails only a real account), so neither the body nor the
 * timing says whether the address has an account, not even on a cold function's first request
 * (scheduling loads @vercel/functions the first time).
 * Two Redis round trips: both limits together (auto-pipelined), then the code, after the lookup.
 * The code waits for the limits and the lookup, so that a request refused by a limit or failed by
 * a database outage (503) cannot replace, and so void, the code a user was already mailed.
 * A request that issues no code (refused by the IP limit, or failed) gives its slot of the
 * address's limit back: else a stranger over their own IP limit could spend an address's budget
 * for free and keep its owner from getting any code.
 * Decision: JSON only (415 for a form). A browser sends a cross-site form post without asking
 * first, so any web page could make each of its visitors request codes, every visitor an address
 * of its own to the per-IP limit: mail sent in bulk from this service's domain. A JSON body needs
 * a CORS preflight, which only CORS_ORIGINS pass. (Login takes the OAuth2 form, as the brief asks:
 * its answer cannot be read cross-site, so such a post gains nothing.)
 */
export const POST = endpoint(async (request) => {
  const { email } = parseInput(ForgotPasswordRequest, await readBody(request, ['json']));
  const emailLimit = reserveSlot('forgotEmail', email);
  const { user, code } = await (async () => {
    await enforceTogether([enforceLimit('forgotIp', clientIp(request)), emailLimit]);
    const found = await findUserByEmail(email);
    return { user: found, code: await issueOtp(email) };
  })().catch(async (error: unknown) => {
    await giveBackIfTaken('forgotEmail', email, emailLimit);
    throw error;
  });
  runAfterResponse('password reset mail', async () => {
    if (user && !user.isBlocked) await sendMail(resetCodeMail(user.email, code, getConfig().otpTtlSeconds));
  });
  return json(ACCEPTED, 202);
});

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
