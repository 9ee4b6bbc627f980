/**
 * The type and message of an error for the log, never the request: bodies hold passwords. A
 * failed drizzle query's own message lists the statement's parameters (hashes, emails), so only
 * the driver's error under it is named, with its SQLSTATE or system code. A connection refused on
 * every address of a host is an AggregateError with no message of its own: its errors are named.
 *
 * @example console.error(`[${id}] unhandled ${describeError(error)}`);
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  if (/^Failed query:/.test(error.message) && error.cause instanceof Error) {
    const code = (error.cause as { code?: string }).code;
    return `database error${code ? ` ${code}` : ''}: ${messageOf(error.cause)}`;
  }
  return `${error.name}: ${messageOf(error)}`;
}

function messageOf(error: Error): string {
  if (error.message || !(error instanceof AggregateError)) return error.message;
  return error.errors.map((inner: unknown) => (inner instanceof Error ? inner.message : String(inner))).join('; ');
}
