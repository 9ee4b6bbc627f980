/**
 * Whether an error means the database could not be reached (refused, timed out, connection lost,
 * server shutting down or full), as opposed to a bug in a query. Such errors answer 503 with
 * Retry-After, so clients retry instead of reporting a server fault. The drivers nest the original
 * error differently (drizzle wraps it in `cause`), so the whole chain is searched.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
// `query read timeout`: node-postgres gave up waiting for an answer (its query_timeout, DB_QUERY_TIMEOUT_MS).
const LOST = /timeout exceeded when trying to connect|connection terminated|connection timeout|query read timeout|websocket|socket hang up|connect econnrefused|server closed the connection/i;
// Neon's HTTP driver: the endpoint could not be reached (`fetch failed`), answered 5xx or 429 (too
// many requests: turned away, to retry later), or could not reach the database behind it.
const NEON_HTTP_LOST = /^error connecting to database|^server error \(http status (5\d\d|429)\)|couldn't connect to compute node/i;
/** Our own deadline on a Neon HTTP query (AbortSignal.timeout) or an aborted fetch. */
const DEADLINE_ERRORS = new Set(['TimeoutError', 'AbortError']);

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 8; depth++) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (NETWORK_CODES.has(code) || code === 'OUT_OF_TIME') return true; // OUT_OF_TIME: lib/deadline.ts, not sent
    // SQLSTATE 08xxx connection exceptions, 57P01-57P03 shutdown / cannot connect now, 53300 too many connections.
    if (/^08/.test(code) || /^57P0[123]$/.test(code) || code === '53300') return true;
    if (typeof e.message === 'string' && (LOST.test(e.message) || NEON_HTTP_LOST.test(e.message))) return true;
    if (e instanceof Error && DEADLINE_ERRORS.has(e.name)) return true;
    if (e instanceof AggregateError && e.errors.some(isDatabaseUnavailable)) return true;
    // Neon's driver keeps the fetch error under `sourceError`, drizzle under `cause`.
    e = (e.cause ?? (e as { sourceError?: unknown }).sourceError) as typeof e;
  }
  return false;
}

/** No connection was made, so no statement (or upload: lib/avatars/cloudinary.ts) was sent. (undici's: fetch's connect timed out.) */
export const CONNECT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'OUT_OF_TIME']);
// Neon's endpoint answering 429 turned the request away before running it.
const NOT_CONNECTED = /timeout exceeded when trying to connect|connection terminated due to connection timeout|couldn't connect to compute node|^server error \(http status 429\)/i;

/**
 * Whether a failed statement certainly never ran: the database could not be connected to at all
 * (refused, no such host, a pool's wait or a new connection's connect timing out, SQLSTATE 08001/08004, 57P03, 53300; not sent
 * for want of time, OUT_OF_TIME; Neon's
 * endpoint answering that it could not reach the database, or 429). A connection lost or a deadline passed
 * while the statement was out is not: it may have committed. For undoing what went before it.
 *
 * @example await write().catch(async (e) => { if (neverRan(e)) await undo(); throw e; });
 */
export function neverRan(error: unknown): boolean {
  for (let e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 8; depth++) {
    const code = typeof e.code === 'string' ? e.code : '';
    // ETIMEDOUT from connect() (a host that never answers the handshake); from a read it may have run.
    if (code === 'ETIMEDOUT' && (e as { syscall?: unknown }).syscall === 'connect') return true;
    if (CONNECT_CODES.has(code) || code === '08001' || code === '08004' || code === '57P03' || code === '53300') return true;
    if (typeof e.message === 'string' && NOT_CONNECTED.test(e.message)) return true;
    if (e instanceof AggregateError && e.errors.length > 0 && e.errors.every(neverRan)) return true;
    e = (e.cause ?? (e as { sourceError?: unknown }).sourceError) as typeof e;
  }
  return false;
}

/**
 * Whether a failed statement may have run all the same: the database was reached and then lost (a
 * deadline passed, or the connection dropped, with the statement out), so it may have committed.
 * What it would have set off is then neither undone nor taken as not done.
 *
 * @example await write().catch((e) => { if (mayHaveRun(e)) console.error(`kept ${key}: the write may have stored it`); throw e; });
 */
export function mayHaveRun(error: unknown): boolean {
  return isDatabaseUnavailable(error) && !neverRan(error);
}
