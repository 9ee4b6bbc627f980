import { createHmac } from 'node:crypto';
import { runAfterResponse } from './background.js';
import { getConfig, type RateLimitName } from './config.js';
import { HttpError } from './http-errors.js';
import { problems } from './problems.js';
import { getStore, StoreUnavailableError, type LimitResult } from './store.js';

/** The request an `enforceLimit` counted: which window it was counted in, for `refundLimit`. */
export interface Slot {
  /** When the window it was counted in ends (ms since the epoch), as the store answered (or, for a lost answer, `reserveSlot` reckoned). */
  reset: number;
}

/**
 * Counts one request against the named sliding-window limit (RATE_LIMIT_* in the configuration)
 * for `subject` (an IP, an email, an account), and throws a 429 past it. Answers the slot taken,
 * or undefined when none was (RATE_LIMIT_FAIL_OPEN let the request through without Redis).
 *
 * @example await enforceLimit('forgotEmail', input.email);
 */
export async function enforceLimit(name: RateLimitName, subject: string): Promise<Slot | undefined> {
  const result = await count(name, subject);
  refuseWhenSpent(name, result);
  return result && { reset: result.reset };
}

/**
 * Awaits limits checked together (one round trip) as `Promise.all` does, but when more than one
 * refuses, throws the refusal with the longest wait: the wait announced (Retry-After) must let the
 * next request through, and a per-IP minute says nothing of a per-account quarter of an hour still
 * to run. Any other failure (the store unreachable: 503) is thrown before a refusal.
 *
 * @example const [, slot] = await enforceTogether([enforceLimit('loginIp', ip), reserveSlot('loginAccount', login)]);
 */
export async function enforceTogether<T extends readonly unknown[]>(checks: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(checks);
  const failures = settled.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  if (failures.length === 0) return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
  const wait = (error: unknown) => (error instanceof HttpError && error.status === 429 ? Number(error.extra.headers?.['Retry-After']) : Infinity);
  throw failures.reduce((longest, error) => (wait(error) > wait(longest) ? error : longest));
}

/**
 * `enforceLimit` for a limit whose slot is given back when the request ends before the attempt it
 * stands for (`giveBackIfTaken`, `refundLimit`): login's per account, forgot-password's per email.
 * When the store fails (a 503 follows), the slot is given back after the response all the same,
 * to the window the request was sent in: Redis may have counted it and only its answer been lost
 * (it came after REDIS_TIMEOUT_MS), and a user whose requests got 503s must not find the limit
 * spent by them afterwards.
 * Decision: a call that went out may also not have been counted (the connection was refused, or
 * Redis answered an error), so this can give back a slot that was never taken: at worst one per
 * request that failed on the store, never below 0 in its window, and only an outage causes that,
 * which a client cannot bring about. A call refused untried (Redis failed a moment before)
 * counted nothing, and nothing is given back for it.
 *
 * @example const reserved = reserveSlot('loginAccount', login); … await giveBackIfTaken('loginAccount', login, reserved);
 */
export async function reserveSlot(name: RateLimitName, subject: string): Promise<Slot | undefined> {
  // The window as the stores number it (both count in windows of Math.floor(now / windowMs)), taken
  // before the call, as @upstash/ratelimit takes it: an answer that comes late counted it there.
  const { windowMs } = getConfig().rateLimits[name];
  const sentIn: Slot = { reset: (Math.floor(Date.now() / windowMs) + 1) * windowMs };
  try {
    return await enforceLimit(name, subject);
  } catch (error) {
    if (error instanceof StoreUnavailableError && error.tried) runAfterResponse(`${name} limit refund`, () => refundLimit(name, subject, sentIn));
    throw error;
  }
}

/**
 * Gives back the slot an `enforceLimit` took, for a "failures only" limit: reserve a slot before
 * the attempt, refund it when the attempt succeeded. Reserving first keeps the limit exact when
 * many attempts race (peeking first would let a whole concurrent burst through). The slot goes
 * back to the window it was counted in (see Store.giveBack).
 *
 * @example const slot = await enforceLimit('loginAccount', login); … if (ok) runAfterResponse('refund', () => refundLimit('loginAccount', login, slot));
 */
export async function refundLimit(name: RateLimitName, subject: string, slot: Slot | undefined): Promise<void> {
  if (slot) await guarded(() => getStore().giveBack(keyOf(name, subject), getConfig().rateLimits[name], slot.reset));
}

/**
 * Gives back, after the response, the slot a pending `reserveSlot` reserved, if it got one (it
 * was neither refused nor failed; a failed one `reserveSlot` gives back itself): for a request that
 * ended before the attempt the slot stood for.
 *
 * @example await attempt().catch(async (error) => { await giveBackIfTaken('loginAccount', login, reserved); throw error; });
 */
export async function giveBackIfTaken(name: RateLimitName, subject: string, reserved: Promise<Slot | undefined>): Promise<void> {
  const slot = await reserved.catch(() => undefined);
  if (slot) runAfterResponse(`${name} limit refund`, () => refundLimit(name, subject, slot));
}

/**
 * Counts one request against the named limit for `subject` without refusing anything: for a
 * request that another subject's limit already let through (a login's failure also counted under
 * the account's other login name).
 *
 * @example runAfterResponse('cross-count', () => countAgainstLimit('loginAccount', user.email));
 */
export async function countAgainstLimit(name: RateLimitName, subject: string): Promise<void> {
  await count(name, subject);
}

/**
 * Takes one slot of the named limit for `subject` and says whether there was one, refusing
 * nothing itself: for work after the response that should be skipped past a limit, not answered
 * with a 429 (a notice mail). Fail open or closed as `enforceLimit`.
 *
 * @example if (await takeSlot('emailNotice', address)) await sendMail(notice);
 */
export async function takeSlot(name: RateLimitName, subject: string): Promise<boolean> {
  const result = await count(name, subject);
  return !result || result.success;
}

/** One request against the named limit for `subject`; undefined when skipped (fail open). */
function count(name: RateLimitName, subject: string): Promise<LimitResult | undefined> {
  return guarded(() => getStore().hit(keyOf(name, subject), getConfig().rateLimits[name]));
}

// Limits counted per client IP keep the IP in their key, readable to whoever operates Redis (it is
// what they would look up). Every other subject is a login name or an email address, which Redis
// never holds: its key is a keyed digest instead, as the codes' keys are (lib/otp.ts). The list
// names the IP limits, so a limit added without thinking of it is digested.
const BY_CLIENT_IP: ReadonlySet<RateLimitName> = new Set(['loginIp', 'registerIp', 'forgotIp', 'resetIp', 'exchangeIp', 'profileIp']);

/** The store key of `subject`'s bucket of the named limit; 128 bits of HMAC keep buckets apart. */
function keyOf(name: RateLimitName, subject: string): string {
  if (BY_CLIENT_IP.has(name)) return `${name}:${subject}`;
  const digest = createHmac('sha256', getConfig().secretKey).update(`rate-limit\0${name}\0${subject}`).digest();
  return `${name}:${digest.subarray(0, 16).toString('base64url')}`;
}

/**
 * Decision: the wait announced (Retry-After, RateLimit-Reset) runs to the end of the current
 * window, an upper bound. Just after it the previous window, now this one, weighs less than its
 * whole count, which is at most the limit, so a slot is free (unless others counted meanwhile).
 * Under the sliding window a slot often frees sooner, as the previous window's weight fades; to
 * say when would take both windows' counts, which the limiter does not answer.
 */
function refuseWhenSpent(name: RateLimitName, result: LimitResult | undefined): void {
  if (!result || result.success) return;
  const resetSeconds = Math.max(1, Math.ceil((result.reset - Date.now()) / 1000));
  throw problems.rateLimited(name, { ...result, resetSeconds });
}

/**
 * Fail closed: an unreachable store is a 503, unless RATE_LIMIT_FAIL_OPEN=true lets the request
 * through (logged), trading abuse protection for availability.
 */
async function guarded<T>(check: () => Promise<T>): Promise<T | undefined> {
  try {
    return await check();
  } catch (error) {
    if (!(error instanceof StoreUnavailableError) || !getConfig().rateLimitFailOpen) throw error;
    console.error(`rate limit skipped (RATE_LIMIT_FAIL_OPEN=true): ${error.message}`);
    return undefined;
  }
}
