import { noticeMail, sendMail, type MailMessage } from './mail.js';
import { takeSlot } from './rate-limit.js';
import { StoreUnavailableError } from './store-error.js';

/**
 * Tells the old address that the account's email was changed: a stolen access token is enough to
 * change it (and then to reset the password through the new address), so the owner should hear of
 * it at the address they know. At most RATE_LIMIT_EMAIL_NOTICE notices per address (3 an hour):
 * whoever can change an account's email can choose the old address, by setting it first, and the
 * new one, whose text the notice repeats, so without a limit this would be a way to send anyone
 * mail. Past the limit the notice is skipped and logged. For after the response.
 * Decision: with Redis unreachable the notice goes out all the same (logged): the owner hearing
 * of a takeover matters more than the limit, which only an outage lifts, and only while it lasts.
 * `uncertain`: the change's write failed in a way that may have landed it (the request answered
 * 503), so the notice says it may have happened: a needless notice is the lesser harm.
 *
 * @example runAfterResponse('email change notice', () => sendEmailChangeNotice(previousEmail, user.email));
 */
export async function sendEmailChangeNotice(oldAddress: string, newAddress: string, { uncertain = false } = {}): Promise<void> {
  const allowed = await takeSlot('emailNotice', oldAddress).catch((error: unknown) => {
    if (!(error instanceof StoreUnavailableError)) throw error;
    console.warn(`email change notice sent without its limit: ${error.message}`);
    return true;
  });
  if (!allowed) {
    console.warn('email change notice skipped: RATE_LIMIT_EMAIL_NOTICE reached for the old address');
    return;
  }
  await sendMail(emailChangedMail(oldAddress, newAddress, { uncertain }));
}

/** The notice itself. It names the new address: what the owner needs to tell their own change from someone else's. */
export function emailChangedMail(to: string, newAddress: string, { uncertain = false } = {}): MailMessage {
  const text = uncertain
    ? `A change of your account's email address to ${newAddress} was just interrupted, and may have gone through. If it did, mail about the account, such as password reset codes, now goes there.`
    : `The email address of your account was just changed to ${newAddress}. Mail about the account, such as password reset codes, now goes there.`;
  const notYou = "If you did not do this, someone may be using your account: contact the service's support at once, and check your other accounts.";
  return noticeMail(to, uncertain ? 'Your account email may have been changed' : 'Your account email was changed', [text, notYou]);
}
