import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Transporter } from 'nodemailer';
import { ConfigError, getConfig, type Config } from './config.js';
import { deadline } from './deadline.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Printed on the console when the message goes to the local outbox (never in production). */
  consoleNote?: string;
}

/** Text made safe to put inside the HTML part of a mail. */
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A plain notice about the account: the same paragraphs as text and as escaped HTML.
 *
 * @example sendMail(noticeMail(user.email, 'Your password was changed', [what, ifNotYou]));
 */
export function noticeMail(to: string, subject: string, paragraphs: string[]): MailMessage {
  return { to, subject, text: `${paragraphs.join('\n\n')}\n`, html: paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n') };
}

let transport: Transporter | undefined;
/** Orders the outbox's files asked for in the same millisecond by this process (names sort by time). */
let outboxSerial = 0;

/**
 * Sends a message by SMTP (MAIL_SERVER, MAIL_PORT, MAIL_USERNAME, MAIL_PASSWORD, MAIL_STARTTLS,
 * MAIL_SSL_TLS), the whole send within MAIL_TIMEOUT_MS (or the invocation's time left), or, outside production without
 * MAIL_SERVER, writes it as an `.eml` file into DATA_DIR/outbox and prints its `consoleNote`.
 * Rejects when the server refuses it or runs past the deadline.
 *
 * @example await sendMail({ to, subject, text, html });
 */
export async function sendMail(message: MailMessage): Promise<void> {
  // An outbox file is named for when the mail was asked for, not when it is written: two sends
  // under way together can finish in either order, and the newest file must hold the newest code.
  const askedAt = new Date().toISOString().replace(/[:.]/g, '-');
  const serial = String(outboxSerial++ % 1e6).padStart(6, '0');
  const config = getConfig();
  const envelope = { from: config.mailFrom, to: message.to, subject: message.subject, text: message.text, html: message.html };
  // Loaded on first send, after the response: no function pays for nodemailer at cold start.
  const { default: nodemailer } = await import('nodemailer');
  if (config.mail) {
    transport ??= smtpTransport(nodemailer, config.mail);
    // One deadline for the whole send, not only for each step: a server that answers every command
    // just in time would otherwise hold the function past its maxDuration, cut off before the
    // failure is logged. Sent after the response, the mail has only what is left of the
    // invocation (lib/deadline.ts). On expiry nodemailer closes the connection.
    const limit = deadline('MAIL_TIMEOUT_MS', config.mail.timeoutMs);
    await transport.sendMail({ ...envelope, signal: AbortSignal.timeout(limit.ms) }).catch((error: unknown) => {
      throw withoutRecipient(pastDeadline(error) ? new Error(`the SMTP server did not finish the send within ${limit.name}; it may have been sent all the same`) : error, message.to);
    });
    return;
  }
  if (config.production) throw new ConfigError(['MAIL_SERVER is missing']);
  const info = await nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }).sendMail(envelope);
  // Only this user may read the outbox: the mails hold reset codes.
  await mkdir(config.outboxDir, { recursive: true, mode: 0o700 });
  const file = join(config.outboxDir, `${askedAt}-${serial}-${randomBytes(4).toString('hex')}.eml`);
  await writeFile(file, info.message as Buffer, { mode: 0o600 });
  console.log(`[outbox] ${message.subject} → ${message.to} (${file})${message.consoleNote ? `\n[outbox] ${message.consoleNote}` : ''}`);
}

/**
 * The error a refused mail is logged with, its recipient's address taken out: a server that turns
 * a recipient away names it ("550 5.1.1 <ada@example.com>: Recipient address rejected"), and
 * nodemailer repeats that in its message. The rest (the code, the server's reason) stays.
 */
function withoutRecipient(error: unknown, to: string): unknown {
  if (!(error instanceof Error)) return error;
  const address = new RegExp(to.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
  if (!address.test(error.message)) return error;
  return Object.assign(new Error(error.message.replace(address, '<recipient>')), { name: error.name, code: (error as { code?: unknown }).code });
}

/** Whether a send failed because its deadline's signal fired (nodemailer's EABORT with the timeout as its cause). */
const pastDeadline = (error: unknown) =>
  (error as { code?: unknown }).code === 'EABORT' && (error as { cause?: { name?: unknown } }).cause?.name === 'TimeoutError';

/** Forgets the SMTP connection settings (tests that change MAIL_*). */
export function resetMail(): void {
  transport = undefined;
}

function smtpTransport(nodemailer: typeof import('nodemailer').default, mail: NonNullable<Config['mail']>): Transporter {
  return nodemailer.createTransport({
    host: mail.host,
    port: mail.port,
    secure: mail.sslTls, // TLS from the first byte (port 465)
    requireTLS: mail.startTls && !mail.sslTls, // upgrade with STARTTLS or refuse to send
    ignoreTLS: !mail.startTls && !mail.sslTls,
    auth: mail.username ? { user: mail.username, pass: mail.password ?? '' } : undefined,
    connectionTimeout: mail.timeoutMs,
    greetingTimeout: mail.timeoutMs,
    socketTimeout: mail.timeoutMs,
  });
}
