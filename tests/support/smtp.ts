import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface TestSmtp {
  port: number;
  /** Every message accepted so far, parsed. */
  received: ParsedMail[];
  /** For each message in `received`, whether it came over TLS (after STARTTLS). */
  overTls: boolean[];
  /** The MAIL_* variables that point the service at this server (with its login, if any). */
  env: Record<string, string>;
  /** Resolves when the next client connection has closed (from either side). */
  nextClose: () => Promise<void>;
  close: () => Promise<void>;
}

/**
 * A real SMTP server on loopback (`smtp-server`, plain text, no STARTTLS) that parses what it
 * accepts. With `offersStartTls` it offers STARTTLS with smtp-server's own self-signed certificate,
 * which no client that checks certificates accepts. With `login` it requires that user and password; `refuses(address)` makes it answer 550
 * for a recipient, to play a server that turns mail away. `stallMs()` delays its answers to MAIL
 * FROM, RCPT TO and the end of DATA by that many milliseconds each, to play a slow server.
 */
export async function startSmtpServer(
  options: { login?: { user: string; pass: string }; refuses?: (address: string) => boolean; stallMs?: () => number; offersStartTls?: boolean } = {},
): Promise<TestSmtp> {
  const received: ParsedMail[] = [];
  const overTls: boolean[] = [];
  const { login, refuses = () => false, stallMs = () => 0, offersStartTls = false } = options;
  const stall = (answer: () => void) => {
    const ms = stallMs();
    if (ms > 0) setTimeout(answer, ms);
    else answer();
  };
  let closed: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: !login,
    allowInsecureAuth: true,
    disabledCommands: [...(offersStartTls ? [] : ['STARTTLS']), ...(login ? [] : ['AUTH'])],
    logger: false,
    onAuth: (auth, _session, done) =>
      login && auth.username === login.user && auth.password === login.pass ? done(null, { user: login.user }) : done(new Error('bad login')),
    onMailFrom: (_address, _session, done) => stall(() => done()),
    onRcptTo: (address, _session, done) =>
      stall(() => done(refuses(address.address) ? Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }) : undefined)),
    onData: (stream, session, done) => {
      simpleParser(stream).then(
        (mail) =>
          stall(() => {
            received.push(mail);
            overTls.push(session.secure);
            done();
          }),
        done,
      );
    },
    onClose: () => {
      const waiting = closed;
      closed = [];
      for (const resolve of waiting) resolve();
    },
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    overTls,
    env: {
      MAIL_SERVER: '127.0.0.1',
      MAIL_PORT: String(port),
      MAIL_FROM: 'Auth <auth@example.com>',
      MAIL_STARTTLS: 'false',
      MAIL_SSL_TLS: 'false',
      ...(login ? { MAIL_USERNAME: login.user, MAIL_PASSWORD: login.pass } : {}),
    },
    nextClose: () => new Promise<void>((resolve) => closed.push(resolve)),
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
