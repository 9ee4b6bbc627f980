import { escapeHtml, type MailMessage } from './mail.js';

/**
 * The notice sent to the old address when an account's email is changed: a stolen access token is
 * enough to change it (and then to reset the password through the new address), so the owner
 * should hear of it at the address they know. It names the new address, which is what the owner
 * needs to tell their own change from someone else's.
 *
 * @example runAfterResponse('email change notice', () => sendMail(emailChangedMail(before.email, after.email)));
 */
export function emailChangedMail(to: string, newAddress: string): MailMessage {
  const text = `The email address of your account was just changed to ${newAddress}. Mail about the account, such as password reset codes, now goes there.`;
  const notYou = 'If you did not do this, someone may be using your account: contact the service\'s support at once, and check your other accounts.';
  return {
    to,
    subject: 'Your account email was changed',
    text: `${text}\n\n${notYou}\n`,
    html: `<p>${escapeHtml(text)}</p>\n<p>${escapeHtml(notYou)}</p>`,
  };
}
