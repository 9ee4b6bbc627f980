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
    ['no route to the host', failedQuery(withCode('connect EHOSTUNREACH 10.0.0.1:5432', 'EHOSTUNREACH'))],
    ['no route to the network', failedQuery(withCode('connect ENETUNREACH 10.0.0.1:5432', 'ENETUNREACH'))],
    ['a DNS lookup failing for now', failedQuery(withCode('getaddrinfo EAI_AGAIN db.example.com', 'EAI_AGAIN'))],
    ['the server could not establish the connection (08001)', failedQuery(withCode('could not establish connection', '08001'))],
    ['the server rejected the connection (08004)', failedQuery(withCode('server rejected the connection', '08004'))],
    ['the database still starting up (57P03)', failedQuery(withCode('the database system is starting up', '57P03'))],
    ["Neon's proxy could not reach the database (its WebSocket pool)", failedQuery(new Error("Couldn't connect to compute node"))],
    ["Neon's endpoint turning the request away (HTTP 429, too many requests)", failedQuery(new Error('Server error (HTTP status 429): {"message":"rate limit exceeded"}'))],
    ['a connect timing out (ETIMEDOUT from connect)', failedQuery(Object.assign(withCode('connect ETIMEDOUT 10.0.0.1:5432', 'ETIMEDOUT'), { syscall: 'connect' }))],
    ["Neon's endpoint not connected to in time (fetch's connect timeout)", failedQuery(Object.assign(new Error('Error connecting to database: TypeError: fetch failed'), { sourceError: new TypeError('fetch failed', { cause: withCode('Connect Timeout Error', 'UND_ERR_CONNECT_TIMEOUT') }) }))],
    ["Neon's endpoint refused (fetch failed)", failedQuery(Object.assign(new Error('Error connecting to database: fetch failed'), { sourceError: new TypeError('fetch failed', { cause: withCode('connect ECONNREFUSED 10.0.0.1:443', 'ECONNREFUSED') }) }))],
  ];
  const maybe: [string, unknown][] = [
    ['connection lost mid-query', failedQuery(new Error('Connection terminated unexpectedly'))],
    ['connection reset', failedQuery(withCode('read ECONNRESET', 'ECONNRESET'))],
    ['our deadline passed with the query out', failedQuery(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))],
    ["Neon's endpoint lost the connection mid-query", failedQuery(new Error('Server error (HTTP status 502): {"message":"Connection to compute node lost: Connection terminated unexpectedly"}'))],
    ['writing to a closed socket', failedQuery(withCode('write EPIPE', 'EPIPE'))],
    ['the connection failing (08006)', failedQuery(withCode('connection failure', '08006'))],
    ['the server shutting down (57P01)', failedQuery(withCode('terminating connection due to administrator command', '57P01'))],
    ['the fetch to Neon aborted', failedQuery(new DOMException('This operation was aborted', 'AbortError'))],
    ["the WebSocket to Neon's proxy closing mid-query", failedQuery(new Error('WebSocket closed with code 1006'))],
    ['the socket hung up', failedQuery(new Error('socket hang up'))],
    ['the server closed the connection', failedQuery(new Error('server closed the connection unexpectedly'))],
    ['a read timing out (ETIMEDOUT with the statement out)', failedQuery(Object.assign(withCode('read ETIMEDOUT', 'ETIMEDOUT'), { syscall: 'read' }))],
    ['a timeout of unknown kind (ETIMEDOUT alone)', failedQuery(withCode('ETIMEDOUT', 'ETIMEDOUT'))],
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
  it('an AggregateError with no errors in it proves nothing: it may have run', () => {
    expect(neverRan(new AggregateError([], 'connect failed'))).toBe(false);
    expect(neverRan(failedQuery(new AggregateError([])))).toBe(false);
  });
  it('a query bug is neither', () => {
    const bug = failedQuery(withCode('column "nope" does not exist', '42703'));
    expect(neverRan(bug)).toBe(false);
    expect(isDatabaseUnavailable(bug)).toBe(false);
  });
});

// Beyond the lists above: which failures answer 503 with Retry-After, and which are a fault (500).
describe('isDatabaseUnavailable: an outage to retry, or a fault', () => {
  it('refused on one address, an address unusable on the other: unavailable', () => {
    const error = failedQuery(new AggregateError([withCode('connect EADDRNOTAVAIL ::1:5432', 'EADDRNOTAVAIL'), withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')]));
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it("Neon's endpoint refusing the request (4xx, not 5xx) is no outage: a fault to report, not to retry", () => {
    expect(isDatabaseUnavailable(failedQuery(new Error('Server error (HTTP status 401): {"message":"password authentication failed"}')))).toBe(false);
  });
});
