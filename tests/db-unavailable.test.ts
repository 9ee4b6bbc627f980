import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, neverRan } from '../lib/db/unavailable.js';

/** A failed drizzle query: its own message is the statement, the driver's error its cause. */
const failedQuery = (cause: unknown) => Object.assign(new Error('Failed query: update "users" set …\nparams: …'), { cause });
const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

// Which database failures prove that a statement never ran (so what was done before it may be
// undone), as opposed to those after which it may have committed. Every one of them is a 503.
describe('neverRan: a statement that certainly never reached the database', () => {
  const never: [string, unknown][] = [
    ['connection refused (node-postgres)', failedQuery(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))],
    ['refused on every address', failedQuery(new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED'), withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')]))],
    ['no such host', failedQuery(withCode('getaddrinfo ENOTFOUND db.example.com', 'ENOTFOUND'))],
    ["the pool's wait for a client timing out", failedQuery(new Error('timeout exceeded when trying to connect'))],
    ["a new connection's connect timing out (a black-holed host)", failedQuery(new Error('Connection terminated due to connection timeout', { cause: new Error('Connection terminated unexpectedly') }))],
    ['too many connections', failedQuery(withCode('sorry, too many clients already', '53300'))],
    ["Neon's endpoint could not reach the database", failedQuery(new Error('Server error (HTTP status 502): {"message":"Couldn\'t connect to compute node: connect ECONNREFUSED"}'))],
    ["Neon's endpoint refused (fetch failed)", failedQuery(Object.assign(new Error('Error connecting to database: fetch failed'), { sourceError: new TypeError('fetch failed', { cause: withCode('connect ECONNREFUSED 10.0.0.1:443', 'ECONNREFUSED') }) }))],
  ];
  const maybe: [string, unknown][] = [
    ['connection lost mid-query', failedQuery(new Error('Connection terminated unexpectedly'))],
    ['connection reset', failedQuery(withCode('read ECONNRESET', 'ECONNRESET'))],
    ['our deadline passed with the query out', failedQuery(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))],
    ["Neon's endpoint lost the connection mid-query", failedQuery(new Error('Server error (HTTP status 502): {"message":"Connection to compute node lost: Connection terminated unexpectedly"}'))],
    ['refused on one address, reset on another', failedQuery(new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED'), withCode('read ECONNRESET', 'ECONNRESET')]))],
  ];
  it.each(never)('%s: never ran', (_, error) => {
    expect(neverRan(error)).toBe(true);
    expect(isDatabaseUnavailable(error)).toBe(true);
  });
  it.each(maybe)('%s: may have run', (_, error) => {
    expect(neverRan(error)).toBe(false);
    expect(isDatabaseUnavailable(error)).toBe(true);
  });
  it('a query bug is neither', () => {
    const bug = failedQuery(withCode('column "nope" does not exist', '42703'));
    expect(neverRan(bug)).toBe(false);
    expect(isDatabaseUnavailable(bug)).toBe(false);
  });
});
