import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as login } from '../api/login.js';
import { POST as register } from '../api/register.js';
import { runAfterResponse, settleBackground } from '../lib/background.js';
import { useDatabase } from './support/database.js';
import { jsonRequest, newAccount } from './support/http.js';

// The real runAfterResponse, watched: which work a request leaves for after its answer.
vi.mock('../lib/background.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../lib/background.js')>();
  return { ...actual, runAfterResponse: vi.fn(actual.runAfterResponse) };
});

describe('a failed login, whether or not the account exists', () => {
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    cleanup = await useDatabase('pglite');
  });
  afterAll(async () => {
    await settleBackground();
    await cleanup();
  });

  // The first scheduling on an instance loads @vercel/functions (lib/background.ts): were only
  // real accounts' failures to schedule work, a cold instance would answer them more slowly.
  it('leaves the same work for after the answer', async () => {
    const account = newAccount();
    expect((await register(jsonRequest('/api/register', account))).status).toBe(201);
    const scheduled = vi.mocked(runAfterResponse);
    const labelsOf = async (username: string) => {
      scheduled.mockClear();
      expect((await login(jsonRequest('/api/login', { username, password: 'not the password' }))).status).toBe(401);
      return scheduled.mock.calls.map(([label]) => label);
    };
    const real = await labelsOf(account.username);
    expect(real).toEqual(['login limit cross-count']);
    expect(await labelsOf(`nobody-${account.username}`)).toEqual(real);
  });
});
