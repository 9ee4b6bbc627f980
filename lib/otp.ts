import { createHmac, randomInt } from 'node:crypto';
import { getConfig } from './config.js';
import { getStore } from './store.js';

/** Wrong guesses a code survives; the fifth wrong one voids it (1 in 200 000 odds of guessing it). */
export const OTP_MAX_WRONG_TRIES = 5;

const digest = (label: string, value: string) => createHmac('sha256', getConfig().secretKey).update(`${label}\0${value}`).digest('base64url');
// The key is a digest too, so the store never holds an email address.
const keyOf = (email: string) => `otp:${digest('otp-key', email)}`;
// What is stored of a code: bound to its address, so no code is another address's.
const codeDigest = (email: string, code: string) => digest('otp', `${email}\0${code}`);

/**
 * Issues a fresh 6-digit code for an email (from the CSPRNG), replacing any earlier one, and
 * stores only its HMAC (keyed by SECRET_KEY and bound to the email) for OTP_TTL_SECONDS.
 *
 * @example const code = await issueOtp(email);
 */
export async function issueOtp(email: string): Promise<string> {
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  await getStore().putCode(keyOf(email), codeDigest(email, code), getConfig().otpTtlSeconds);
  return code;
}

/**
 * Whether `code` is the live code for `email`, changing nothing: not even a wrong guess counts.
 * For a look that goes out beside a rate limit, before it is known whether the request may try.
 *
 * @example const [, live] = await Promise.all([enforceLimit('resetEmail', email), peekOtp(email, otp)]);
 */
export async function peekOtp(email: string, code: string): Promise<boolean> {
  const result = await getStore().checkCode(keyOf(email), codeDigest(email, code), {
    maxWrongTries: OTP_MAX_WRONG_TRIES,
    countWrong: false,
  });
  return result === 'ok';
}

/**
 * Whether `code` is the live code for `email`, leaving it in place. A wrong guess counts a try
 * (the fifth voids the code).
 *
 * @example if (!(await verifyOtp(email, otp))) throw problems.invalidResetCode();
 */
export async function verifyOtp(email: string, code: string): Promise<boolean> {
  const result = await getStore().checkCode(keyOf(email), codeDigest(email, code), { maxWrongTries: OTP_MAX_WRONG_TRIES });
  return result === 'ok';
}

/**
 * Takes the live code for `email` if `code` is it, atomically, so of racing requests with the
 * right code exactly one gets `true`; a wrong guess counts nothing here. A taken code is used up,
 * unless `restoreOtp` gives it back.
 *
 * @example if (!(await takeOtp(email, otp))) throw problems.invalidResetCode();
 */
export async function takeOtp(email: string, code: string): Promise<boolean> {
  return (await getStore().takeCode(keyOf(email), codeDigest(email, code))) === 'ok';
}

/**
 * Makes a taken code live again, with its tries and expiry as they were, for a reset whose
 * password was certainly not written, so the user's retry with the same mailed code works. Only
 * that code, only while it is still the stored one: never over a newer code, even one since used
 * or voided.
 *
 * @example await restoreOtp(email, otp);
 */
export async function restoreOtp(email: string, code: string): Promise<void> {
  await getStore().restoreCode(keyOf(email), codeDigest(email, code));
}
