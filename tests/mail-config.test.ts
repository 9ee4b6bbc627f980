import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '../lib/config.js';
import { resetMail, sendMail } from '../lib/mail.js';
import { PRODUCTION_ENV, problemsOf } from './support/production-env.js';
import { recipient } from './support/outbox.js';
import { startSmtpServer, type TestSmtp } from './support/smtp.js';

const PRODUCTION = { ...PRODUCTION_ENV, DATABASE_URL: 'postgres://u:p@db.example.com/app', CLOUDINARY_URL: 'cloudinary://key:secret@cloud' };


describe('MAIL_FROM', () => {
  it('takes an address, with or without a display name', () => {
    for (const from of ['no-reply@example.com', 'Example <no-reply@example.com>', '"Example, Inc." <no-reply@example.com>', 'Example, Inc. <no-reply@example.com>', '"ops@example.com, team" <no-reply@example.com>', '"Acme: Accounts" <no-reply@example.com>', "O'Brien Shop <no-reply@example.com>"]) {
      expect(problemsOf({ ...PRODUCTION, MAIL_FROM: from }), from).toEqual([]);
    }
  });

  it('refuses, naming MAIL_FROM, a value without exactly one address (mail would go out with no From header)', () => {
    // A name nodemailer reads otherwise: a group (no sender), another address, a list, a dropped comment.
    const misread = ['Acme: Accounts <no-reply@example.com>', 'O\'Brien "Shop <no-reply@example.com>', 'Acme; Accounts <no-reply@example.com>', 'Acme (support) <no-reply@example.com>'];
    for (const from of ['noreply', 'Auth service', 'a@example.com, b@example.com', 'a@example.com, Name <b@example.com>', 'Auth <a@example.com>\r\nBcc: x@example.com', ...misread]) {
      expect(problemsOf({ ...PRODUCTION, MAIL_FROM: from }).join('\n'), JSON.stringify(from)).toMatch(/^MAIL_FROM /m);
    }
  });
});

describe('MAIL_PORT 465', () => {
  it('is refused without MAIL_SSL_TLS (implicit TLS; STARTTLS there only waits out the greeting timeout)', () => {
    expect(problemsOf({ ...PRODUCTION, MAIL_PORT: '465' })).toEqual(['MAIL_PORT 465 takes TLS from the first byte: set MAIL_SSL_TLS=true (or use port 587 with STARTTLS)']);
    expect(problemsOf({ ...PRODUCTION, MAIL_PORT: '465', MAIL_SSL_TLS: 'true' })).toEqual([]);
    expect(problemsOf({ ...PRODUCTION, MAIL_PORT: '587' })).toEqual([]);
  });
});

describe('MAIL_STARTTLS=false with MAIL_SSL_TLS=false in production', () => {
  it('is refused to a server elsewhere (the password and the codes in clear), taken to one on this machine', () => {
    const plain = { MAIL_STARTTLS: 'false', MAIL_SSL_TLS: 'false' };
    expect(problemsOf({ ...PRODUCTION, ...plain })).toEqual(['MAIL_STARTTLS=false with MAIL_SSL_TLS=false sends the password and every code in clear: in production only to a server on this machine']);
    for (const host of ['127.0.0.1', 'localhost']) expect(problemsOf({ ...PRODUCTION, ...plain, MAIL_SERVER: host }), host).toEqual([]);
    expect(problemsOf({ ...PRODUCTION, MAIL_STARTTLS: 'false', MAIL_SSL_TLS: 'true', MAIL_PORT: '465' })).toEqual([]);
    expect(problemsOf({ ...PRODUCTION, MAIL_STARTTLS: 'true' })).toEqual([]);
  });
});

describe('MAIL_USERNAME and MAIL_PASSWORD', () => {
  it('refuses one without the other (a password alone is silently not used; a user alone logs in with an empty password)', () => {
    expect(problemsOf({ ...PRODUCTION, MAIL_PASSWORD: 'app-password' }).join('\n')).toMatch(/MAIL_USERNAME is missing/);
    expect(problemsOf({ ...PRODUCTION, MAIL_USERNAME: 'mailer@example.com' }).join('\n')).toMatch(/MAIL_PASSWORD is missing/);
    expect(problemsOf({ ...PRODUCTION, MAIL_USERNAME: 'mailer@example.com', MAIL_PASSWORD: 'app-password' })).toEqual([]);
  });
});

describe('the From header of a mail sent by SMTP', () => {
  const smtp = smtpServerForBlock();

  it('is MAIL_FROM, display name and address', async () => {
    smtp.useMail({ MAIL_FROM: 'Example <no-reply@example.com>' });
    await sendCode('from-check@example.com');
    expect(smtp.received('from-check@example.com')?.mail.from?.value).toEqual([{ name: 'Example', address: 'no-reply@example.com' }]);
  });
});

/**
 * A test SMTP server for one describe block; its MAIL_* variables are cleared after each test.
 * `useMail(env)` points mail at it with `env` on top (undefined unsets a variable).
 */
function smtpServerForBlock(options: Parameters<typeof startSmtpServer>[0] = {}) {
  let smtp: TestSmtp;
  beforeAll(async () => {
    smtp = await startSmtpServer(options);
  });
  afterEach(() => {
    for (const name of [...Object.keys(smtp.env), 'MAIL_TIMEOUT_MS', 'MAIL_FROM']) delete process.env[name];
    resetConfig();
    resetMail();
  });
  afterAll(async () => {
    await smtp.close();
  });
  return {
    useMail(env: Record<string, string | undefined> = {}) {
      Object.assign(process.env, smtp.env);
      for (const [name, value] of Object.entries(env)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      resetConfig();
      resetMail();
    },
    /** The mail the server got for `to` (undefined if none), and whether it came over TLS. */
    received: (to: string) => {
      const index = smtp.received.findIndex((m) => recipient(m) === to);
      return index < 0 ? undefined : { mail: smtp.received[index]!, overTls: smtp.overTls[index] };
    },
  };
}
const sendCode = (to: string) => sendMail({ to, subject: 'a code', text: '123456', html: '<p>123456</p>' });

describe('TLS to the SMTP server', () => {
  const smtp = smtpServerForBlock(); // plain text, offers no STARTTLS

  it('by default requires STARTTLS: a server that does not offer it gets no mail (a reset code never crosses in clear)', async () => {
    smtp.useMail({ MAIL_TIMEOUT_MS: '2000', MAIL_STARTTLS: undefined }); // the default
    await expect(sendCode('starttls-default@example.com')).rejects.toThrow();
    expect(smtp.received('starttls-default@example.com')).toBeUndefined();
  });

  it('with MAIL_SSL_TLS speaks TLS from the first byte: a plain-text server gets no mail', async () => {
    smtp.useMail({ MAIL_SSL_TLS: 'true', MAIL_TIMEOUT_MS: '2000' });
    await expect(sendCode('ssl-tls@example.com')).rejects.toThrow();
    expect(smtp.received('ssl-tls@example.com')).toBeUndefined();
  });

  it('with MAIL_STARTTLS=false and MAIL_SSL_TLS=false sends in plain text, as configured', async () => {
    smtp.useMail();
    await sendCode('plain@example.com');
    expect(smtp.received('plain@example.com')?.overTls).toBe(false);
  });
});

describe('a server that offers STARTTLS with a certificate nobody vouches for', () => {
  const smtp = smtpServerForBlock({ offersStartTls: true });

  it('gets no mail by default: the upgrade checks the certificate, and a failed upgrade does not fall back to plain text', async () => {
    smtp.useMail({ MAIL_TIMEOUT_MS: '2000', MAIL_STARTTLS: undefined }); // the default
    await expect(sendCode('untrusted-cert@example.com')).rejects.toThrow(/certificate/);
    expect(smtp.received('untrusted-cert@example.com')).toBeUndefined();
  });

  it('with MAIL_STARTTLS=false gets the mail in plain text: the STARTTLS it offers is not taken up', async () => {
    smtp.useMail({ MAIL_TIMEOUT_MS: '2000' });
    await sendCode('starttls-off@example.com');
    expect(smtp.received('starttls-off@example.com')?.overTls).toBe(false);
  });
});
