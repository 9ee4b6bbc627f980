import { afterEach, describe, expect, it, vi } from 'vitest';
import { endpoint } from '../lib/endpoint.js';
import { problemOf } from './support/http.js';
import { leaksIn } from './security/leaks.js';

afterEach(() => vi.restoreAllMocks());

describe('endpoint(): an unexpected error', () => {
  it('answers a bare 500 problem with an error id, and keeps the error text for the log', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const crash = endpoint(async () => {
      throw new Error('Failed query: select * from users where email = $1\nparams: ada@example.com');
    });
    const response = await crash(new Request('http://localhost/api/x'));
    expect(response.status).toBe(500);
    const body = JSON.stringify(await problemOf(response.clone()));
    expect(leaksIn(body)).toEqual([]);
    expect(body).not.toContain('ada@example.com');
    const id = /error id ([0-9a-f-]{36})/.exec(body)?.[1];
    expect(id).toBeDefined();
    expect(log.mock.calls.flat().join('\n')).toContain(`[${id}] unhandled Error: Failed query: select * from users`);
  });

  it("logs a failed query by its driver error only, never drizzle's message with the parameters (an email, a hash)", async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const crash = endpoint(async () => {
      const driver = Object.assign(new Error('duplicate key value violates unique constraint "users_email_lower_key"'), { code: '23505' });
      throw new Error('Failed query: insert into users values ($1, $2)\nparams: ada@example.com,$2b$12$abcdefghijklmnopqrstuv', { cause: driver });
    });
    expect((await crash(new Request('http://localhost/api/x'))).status).toBe(500);
    const logged = log.mock.calls.flat().join('\n');
    expect(logged).toContain('unhandled database error 23505: duplicate key value violates unique constraint');
    expect(logged).not.toContain('ada@example.com');
    expect(logged).not.toContain('$2b$');
  });
});
