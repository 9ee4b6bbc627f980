import { randomUUID } from 'node:crypto';
import { answerFirst } from './background.js';
import { ConfigError, getConfig } from './config.js';
import { applyCors, preflightResponse } from './cors.js';
import { describeError } from './describe-error.js';
import { isDatabaseUnavailable } from './db/unavailable.js';
import { HttpError } from './http-errors.js';
import { problems } from './problems.js';
import { problem } from './respond.js';
import { StoreUnavailableError } from './store-error.js';

export type Handler = (request: Request) => Promise<Response>;

/**
 * Wraps a method handler: the configuration is checked first, thrown `HttpError`s become
 * problem+json, anything else a bare 500 whose details stay in the log under an error id,
 * and every answer gets the security and CORS headers. Work the handler hands to
 * `runAfterResponse` starts only after it has answered.
 *
 * @example export const GET = endpoint(async (request) => json(await currentUser(request)));
 */
export function endpoint(handler: Handler): Handler {
  return async (request) => {
    let response: Response;
    try {
      getConfig();
      response = await answerFirst(() => handler(request));
    } catch (error) {
      response = errorResponse(error);
    }
    return finish(request, response);
  };
}

/** The OPTIONS export of an endpoint serving `methods`: answers CORS preflights. */
export function preflight(methods: string[]): Handler {
  return async (request) => {
    try {
      getConfig();
      return finish(request, preflightResponse(request, methods));
    } catch (error) {
      return finish(request, errorResponse(error));
    }
  };
}

function errorResponse(error: unknown): Response {
  if (error instanceof HttpError) return problem(error);
  const id = randomUUID();
  // Before the database check: a Redis timeout carries a TimeoutError too.
  if (error instanceof StoreUnavailableError) {
    // Fail closed: nothing that needs Redis (codes, rate limits) pretends to work without it.
    console.error(`[${id}] store unavailable: ${error.message}`);
    return problem(problems.storeUnavailable());
  }
  if (isDatabaseUnavailable(error)) {
    // Through describeError: a failed drizzle query's message lists its parameters (hashes, emails).
    console.error(`[${id}] database unavailable: ${describeError(error)}`);
    return problem(problems.databaseUnavailable());
  }
  if (error instanceof ConfigError) {
    console.error(`[${id}] configuration error: ${error.problems.join('; ')}`);
    return problem(problems.misconfigured(id));
  }
  console.error(`[${id}] unhandled ${describeError(error)}`);
  return problem(problems.internalError(id));
}

function finish(request: Request, original: Response): Response {
  // Copy: some responses (Response.redirect) have immutable headers.
  const headers = new Headers(original.headers);
  if (!headers.has('Cache-Control')) headers.set('Cache-Control', 'no-store');
  headers.set('X-Content-Type-Options', 'nosniff');
  headers.set('Referrer-Policy', 'no-referrer');
  try {
    applyCors(request, headers);
  } catch {
    // No configuration, no CORS: the body already says what is wrong.
  }
  return new Response(original.body, { status: original.status, statusText: original.statusText, headers });
}
