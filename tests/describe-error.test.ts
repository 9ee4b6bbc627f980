import { describe, expect, it } from 'vitest';
import { describeError } from '../lib/describe-error.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

// What the log says of an error: its type and message, never what the request carried.
describe('describeError', () => {
  it('names each error of a connection refused on every address (an AggregateError with no message of its own)', () => {
    const refused = new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED'), withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')]);
    const failed = Object.assign(new Error('Failed query: select "id" from "users" where "email" = $1\nparams: ada@example.com'), { cause: refused });
    expect(describeError(failed)).toBe('database error: connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432');
  });

  it('names only the type of a thrown value that is not an Error, which may hold anything', () => {
    expect(describeError('password=correct horse')).toBe('string');
    expect(describeError({ email: 'ada@example.com' })).toBe('object');
  });
});
