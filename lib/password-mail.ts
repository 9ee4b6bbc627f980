import type { MailMessage } from './mail.js';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The password reset mail: the code, how long it lasts, and what to do when the reader did not ask.
 *
 * @example await sendMail(resetCodeMail(user.email, code, 600));
 */
export function resetCodeMail(to: string, code: string, ttlSeconds: number): MailMessage {
  const minutes = Math.max(1, Math.round(ttlSeconds / 60));
  const lasts = `${minutes} minute${minutes === 1 ? '' : 's'}`;
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

/** The notice sent after a reset, so that a reset the owner did not make does not go unnoticed. */
export function passwordChangedMail(to: string): MailMessage {
  const text = 'Your password was just changed, and every session signed in before the change was signed out.';
  const notYou = 'If you did not do this, reset your password now with "Forgot password" and check your email account for intruders.';
  return {
    to,
    subject: 'Your password was changed',
    text: `${text}\n\n${notYou}\n`,
    html: `<p>${escape(text)}</p>\n<p>${escape(notYou)}</p>`,
  };
}
