import { escapeHtml as escape, noticeMail, type MailMessage } from './mail.js';

/**
 * The password reset mail: the code, how long it lasts, and what to do when the reader did not ask.
 *
 * @example await sendMail(resetCodeMail(user.email, code, 600));
 */
export function resetCodeMail(to: string, code: string, ttlSeconds: number): MailMessage {
  const lasts = lifetime(ttlSeconds);
  const notYou = 'If you did not ask to reset your password, ignore this message: your password stays as it is. Never share this code with anyone.';
  return {
    to,
    subject: 'Your password reset code',
    text: `Your password reset code is ${code}.\n\nIt works once and expires in ${lasts}.\n\n${notYou}\n`,
    html: `<p>Your password reset code is <strong style="font-size:1.4em;letter-spacing:.2em">${escape(code)}</strong>.</p>
<p>It works once and expires in ${lasts}.</p>
<p>${escape(notYou)}</p>`,
    consoleNote: `password reset code for ${to}: ${code} (expires in ${lasts})`,
  };
}

/**
 * A code's lifetime in words, never longer than it is: whole minutes rounded down, seconds under
 * a minute (a mail that promised 11 minutes for a 630-second code would fail its reader).
 *
 * @example lifetime(600) // "10 minutes"; lifetime(90) // "1 minute"; lifetime(30) // "30 seconds"
 */
export function lifetime(seconds: number): string {
  const [count, unit] = seconds < 60 ? [seconds, 'second'] : [Math.floor(seconds / 60), 'minute'];
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/** The notice sent after a reset, so that a reset the owner did not make does not go unnoticed. */
export function passwordChangedMail(to: string): MailMessage {
  const text = 'Your password was just changed, and every session signed in before the change was signed out.';
  const notYou = 'If you did not do this, reset your password now with "Forgot password" and check your email account for intruders.';
  return noticeMail(to, 'Your password was changed', [text, notYou]);
}
