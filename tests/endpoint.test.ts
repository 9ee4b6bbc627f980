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
});
