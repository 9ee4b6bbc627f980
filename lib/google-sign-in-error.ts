import { randomUUID } from 'node:crypto';
import { describeError } from './describe-error.js';
import type { GoogleSignInError } from './schemas/google.js';

/**
 * Why a Google sign-in failed. The callback sends `code` to the frontend as `?error=<code>`;
 * the message stays in the server log and never reaches the browser.
 */
export class GoogleSignInFailure extends Error {
  constructor(
    readonly code: GoogleSignInError,
    message: string = code,
  ) {
    super(message);
    this.name = 'GoogleSignInFailure';
  }
}

// The `error` codes an authorization server may send back (RFC 6749 4.1.2.1, OpenID Connect Core 3.1.2.6).
const REGISTERED_ERRORS = new Set([
  'invalid_request',
  'unauthorized_client',
  'access_denied',
  'unsupported_response_type',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
  'interaction_required',
  'login_required',
  'account_selection_required',
  'consent_required',
  'invalid_request_uri',
  'invalid_request_object',
  'request_not_supported',
  'request_uri_not_supported',
  'registration_not_supported',
]);

/**
 * The callback's `error` parameter as the log may show it: a registered code as it is, anything
 * else only as "unregistered". It arrives in a URL anyone can send a browser to, so its text
 * (a newline that starts a forged log line, say) never reaches the log.
 *
 * @example throw new GoogleSignInFailure('provider_error', `provider said ${providerErrorForLog(params.error)}`);
 */
export function providerErrorForLog(error: string): string {
  return REGISTERED_ERRORS.has(error) ? error : 'an unregistered error code (not logged)';
}

/**
 * One log line whatever `text` holds: control and line-separator characters escaped as `\uXXXX`,
 * so no message (a provider's words, a driver's) can start a line that looks like another entry.
 *
 * @example console.warn(oneLogLine(`[${id}] google sign-in failed: ${error.message}`));
 */
export function oneLogLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The short code the callback sends the frontend for `error` (`?error=<code>`); the reason stays
 * in the log under an id.
 *
 * @example target.searchParams.set('error', failureCode(error));
 */
export function failureCode(error: unknown): GoogleSignInError {
  const id = randomUUID();
  if (error instanceof GoogleSignInFailure) {
    console.warn(oneLogLine(`[${id}] google sign-in failed (${error.code}): ${error.message}`));
    return error.code;
  }
  // Through describeError, as every other endpoint: a failed drizzle query's own message lists its
  // parameters (the person's Google subject, email, name, picture), and names no reason.
  console.error(oneLogLine(`[${id}] google sign-in crashed: ${describeError(error)}`));
  return 'server_error';
}
