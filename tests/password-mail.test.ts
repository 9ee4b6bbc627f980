import { describe, expect, it } from 'vitest';
import { emailChangedMail } from '../lib/email-change-notice.js';
import { lifetime, resetCodeMail } from '../lib/password-mail.js';

describe('the reset mail', () => {
  it('never promises a code longer than it lasts: minutes rounded down, seconds under a minute', () => {
    expect([600, 630, 90, 89, 60, 59, 30, 1].map(lifetime)).toEqual([
      '10 minutes', '10 minutes', '1 minute', '1 minute', '1 minute', '59 seconds', '30 seconds', '1 second',
    ]);
    expect(resetCodeMail('a@example.com', '012345', 630).text).toContain('expires in 10 minutes');
  });
});

describe('the email change notice', () => {
  it("names the new address as typed in the text, and escaped in the HTML (an address may hold ' and &)", () => {
    const mail = emailChangedMail('old@example.com', "o'neil&co@example.com");
    expect(mail).toMatchObject({ to: 'old@example.com', subject: 'Your account email was changed' });
    expect(mail.text).toContain("changed to o'neil&co@example.com.");
    expect(mail.html).toContain('changed to o&#39;neil&#38;co@example.com.');
    expect(mail.html).not.toContain("o'neil&co");
  });
});
