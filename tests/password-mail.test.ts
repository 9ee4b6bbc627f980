import { describe, expect, it } from 'vitest';
import { lifetime, resetCodeMail } from '../lib/password-mail.js';

describe('the reset mail', () => {
  it('never promises a code longer than it lasts: minutes rounded down, seconds under a minute', () => {
    expect([600, 630, 90, 89, 60, 59, 30, 1].map(lifetime)).toEqual([
      '10 minutes', '10 minutes', '1 minute', '1 minute', '1 minute', '59 seconds', '30 seconds', '1 second',
    ]);
    expect(resetCodeMail('a@example.com', '012345', 630).text).toContain('expires in 10 minutes');
  });
});
