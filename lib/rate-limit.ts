import { runAfterResponse } from './background.js';
import { getConfig, type RateLimitName } from './config.js';
import { problems } from './problems.js';
import { getStore, StoreUnavailableError, type LimitResult } from './store.js';

/**
 * Counts one request against the named sliding-window limit (RATE_LIMIT_* in the configuration)
 * for `subject` (an IP, an email, an account), and throws a 429 past it.
 *
 * @example await enforceLimit('forgotEmail', input.email);
 */
export async function enforceLimit(name: RateLimitName, subject: string): Promise<void> {
  refuseWhenSpent(name, await count(name, subject, 1));
}

/**
 * Gives back the slot an `enforceLimit` took, for a "failures only" limit: reserve a slot before
 * the attempt, refund it when the attempt succeeded. Reserving first keeps the limit exact when
 * many attempts race (peeking first would let a whole concurrent burst through).
 *
 * @example await enforceLimit('loginAccount', login); … if (ok) runAfterResponse('refund', () => refundLimit('loginAccount', login));
 */
export async function refundLimit(name: RateLimitName, subject: string): Promise<void> {
  await count(name, subject, -1);
}

/**
 * Gives back, after the response, the slot a pending `enforceLimit` reserved, if it got one (it
 * was neither refused nor failed): for a request that ended before the attempt the slot stood for.
 *
 * @example await attempt().catch(async (error) => { await giveBackIfTaken('loginAccount', login, reserved); throw error; });
 */
export async function giveBackIfTaken(name: RateLimitName, subject: string, reserved: Promise<void>): Promise<void> {
  if (await reserved.then(() => true, () => false)) runAfterResponse(`${name} limit refund`, () => refundLimit(name, subject));
}

/**
 * Counts one request against the named limit for `subject` without refusing anything: for a
 * request that another subject's limit already let through (a login's failure also counted under
 * the account's other login name).
 *
 * @example runAfterResponse('cross-count', () => countAgainstLimit('loginAccount', user.email));
 */
export async function countAgainstLimit(name: RateLimitName, subject: string): Promise<void> {
  await count(name, subject, 1);
}

/**
 * Takes one slot of the named limit for `subject` and says whether there was one, refusing
 * nothing itself: for work after the response that should be skipped past a limit, not answered
 * with a 429 (a notice mail). Fail open or closed as `enforceLimit`.
 *
 * @example if (await takeSlot('emailNotice', address)) await sendMail(notice);
 */
export async function takeSlot(name: RateLimitName, subject: string): Promise<boolean> {
  const result = await count(name, subject, 1);
  return !result || result.success;
}

/** `rate` requests (negative: slots given back) against the named limit for `subject`. */
function count(name: RateLimitName, subject: string, rate: number): Promise<LimitResult | undefined> {
  return guarded(() => getStore().hit(`${name}:${subject}`, getConfig().rateLimits[name], rate));
}

function refuseWhenSpent(name: RateLimitName, result: LimitResult | undefined): void {
  if (!result || result.success) return;
  const resetSeconds = Math.max(1, Math.ceil((result.reset - Date.now()) / 1000));
  throw problems.rateLimited(name, { ...result, resetSeconds });
}

/**
 * Fail closed: an unreachable store is a 503, unless RATE_LIMIT_FAIL_OPEN=true lets the request
 * through (logged), trading abuse protection for availability.
 */
async function guarded(check: () => Promise<LimitResult>): Promise<LimitResult | undefined> {
  try {
    return await check();
  } catch (error) {
    if (!(error instanceof StoreUnavailableError) || !getConfig().rateLimitFailOpen) throw error;
    console.error(`rate limit skipped (RATE_LIMIT_FAIL_OPEN=true): ${error.message}`);
    return undefined;
  }
}
