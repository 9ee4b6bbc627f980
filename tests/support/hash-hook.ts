import type * as Passwords from '../../lib/passwords.js';

/**
 * A moment to act in, inside a request: `afterNext` runs once, right after the next password
 * hash (in a reset, between the user lookup and the password write), and the request goes on
 * when it resolves. For a test file that mocks lib/passwords.js with `hookedPasswords`:
 *
 * @example vi.mock('../lib/passwords.js', async (original) => (await import('./support/hash-hook.js')).hookedPasswords(await original()));
 */
export const hashHook: { afterNext?: () => Promise<void> } = {};

/** lib/passwords.js with `hashHook` run after the next hash. */
export function hookedPasswords(actual: typeof Passwords): typeof Passwords {
  return {
    ...actual,
    hashPassword: async (password: string) => {
      const hash = await actual.hashPassword(password);
      const run = hashHook.afterNext;
      hashHook.afterNext = undefined;
      await run?.();
      return hash;
    },
  };
}
