import { runAfterResponse } from './background.js';
import { neverRan } from './db/unavailable.js';
import { sendMail } from './mail.js';
import { restoreOtp } from './otp.js';
import { passwordChangedMail } from './password-mail.js';

// What a password reset does around its write, for api/reset-password.ts: the owner's notice, and
// the mailed code made live again after a write that never ran.

/**
 * The password write failed (a 503 follows). When it certainly never ran (no connection could be
 * made), the mailed code is made live again after the response, so the user's retry with it works
 * once the database is back (after the response: a Redis just found unreachable is tried all the
 * same, lib/redis-store.ts, and the 503 must not wait on it). Decision: when it may have run (the connection was lost, or the deadline passed, with
 * the statement out), the code stays used: it may have set a password, and a code works once;
 * the user asks for a new one. The owner is then told of the change all the same (at `mailbox`,
 * the account's address): should it have landed, through a code someone else got hold of, a
 * notice that might be needless is the lesser harm.
 *
 * @example await replacePassword(id, email, hash).catch((error: unknown) => afterFailedPasswordWrite(input.email, input.otp, email, error));
 */
export function afterFailedPasswordWrite(email: string, otp: string, mailbox: string, error: unknown): never {
  if (neverRan(error)) {
    runAfterResponse('reset code restore', () => restoreOtp(email, otp));
  } else {
    tellOwnerOfNewPassword(mailbox);
  }
  throw error;
}

/**
 * The "your password was changed" mail to the account's address, after the response.
 *
 * @example tellOwnerOfNewPassword(user.email);
 */
export function tellOwnerOfNewPassword(mailbox: string): void {
  runAfterResponse('password changed notice', () => sendMail(passwordChangedMail(mailbox)));
}
