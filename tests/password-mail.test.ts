import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { emailChangedMail } from '../lib/email-change-notice.js';
import { getConfig } from '../lib/config.js';
import { escapeHtml, sendMail } from '../lib/mail.js';
import { lifetime, resetCodeMail } from '../lib/password-mail.js';
import { outboxMessages, recipient } from './support/outbox.js';

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

  it('escapes every character HTML gives a meaning to, as numeric references', () => {
    expect(escapeHtml(`<b class="x">Tom & Jerry's</b>`)).toBe('&#60;b class=&#34;x&#34;&#62;Tom &#38; Jerry&#39;s&#60;/b&#62;');
  });
});

describe('the local outbox', () => {
  it('lists mails in the order they were sent, even many in the same millisecond', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-24T12:00:00.000Z') });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const subjects = Array.from({ length: 30 }, (_, i) => `mail ${i}`);
    for (const subject of subjects) await sendMail({ to: 'order@example.com', subject, text: subject, html: `<p>${subject}</p>` });
    const listed = (await outboxMessages(getConfig().outboxDir)).filter((m) => recipient(m) === 'order@example.com').map((m) => m.subject);
    expect(listed).toEqual(subjects);
  });

  it('files a mail under the time it was asked for, not the time it was written (overlapping sends can finish in either order)', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-23T12:00:00.000Z') });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const sending = sendMail({ to: 'asked@example.com', subject: 'asked at noon', text: 'a code', html: '<p>a code</p>' });
    vi.setSystemTime(new Date('2026-11-23T13:00:00.000Z')); // the clock moves on before it is written
    await sending;
    const files = readdirSync(getConfig().outboxDir).filter((f) => f.startsWith('2026-11-23'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^2026-11-23T12-00-00-000Z-/);
  });

  it('keeps its mails (they hold reset codes) readable by this user only', async () => {
    await sendMail({ to: 'private@example.com', subject: 'private', text: 'a code', html: '<p>a code</p>' });
    const dir = getConfig().outboxDir;
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const file of readdirSync(dir)) expect(statSync(join(dir, file)).mode & 0o777, file).toBe(0o600);
  });
});
