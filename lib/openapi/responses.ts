import type { ResponseConfig } from '@asteasolutions/zod-to-openapi';
import type { ZodType } from 'zod';
import { badGateway, badRequest, conflict, HttpError, payloadTooLarge, serviceUnavailable, unauthorized, unprocessable, unsupportedMediaType } from '../http-errors.js';
import { problemBody } from '../respond.js';
import { ProblemDetails } from '../schemas/common.js';

/**
 * The error answers the route modules share. Each example is built by the same error factories
 * and `problemBody` the handlers use, so the document shows exactly what a client receives.
 */

/** A response's map of OpenAPI Header Objects, as zod-to-openapi types it. */
type HeadersObject = Exclude<ResponseConfig['headers'], ZodType | undefined>;

/** Names of the security schemes in `components.securitySchemes` (see document.ts). */
export const BEARER = 'bearerAuth';
export const PASSWORD_FLOW = 'oauth2Password';

/** For operations that need a signed-in user: either scheme, whichever the client used. */
export const SIGNED_IN: Record<string, string[]>[] = [{ [BEARER]: [] }, { [PASSWORD_FLOW]: [] }];
/** For public operations: Redocly wants security stated on every operation, even when empty. */
export const PUBLIC: [] = [];

/** A problem+json response of `description`, with one named example per error (all one status). */
export function problemResponse(description: string, examples: Record<string, HttpError>): ResponseConfig {
  const errors = Object.values(examples);
  // A cast: zod-to-openapi's header type is a union over OpenAPI versions that a literal cannot meet.
  const headers = Object.fromEntries(
    errors.flatMap((error) => Object.keys(error.extra.headers ?? {})).map((name) => [name, HEADERS[name] ?? { schema: { type: 'string' } }]),
  ) as HeadersObject;
  return {
    description,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    content: {
      'application/problem+json': {
        schema: ProblemDetails,
        examples: Object.fromEntries(Object.entries(examples).map(([name, error]) => [name, { summary: error.detail, value: problemBody(error) }])),
      },
    },
  };
}

/** Headers that error answers carry, documented once. */
const HEADERS: Record<string, { description: string; schema: { type: 'string' | 'integer' } }> = {
  'WWW-Authenticate': { description: 'Always `Bearer`: the scheme to authenticate with.', schema: { type: 'string' } },
  'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer' } },
  'RateLimit-Limit': { description: 'Requests allowed in the window.', schema: { type: 'integer' } },
  'RateLimit-Remaining': { description: 'Requests left in the current window (0 here).', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds until the window frees a request.', schema: { type: 'integer' } },
};

/** 400, 413, 415 and 422: what any endpoint that reads a body can answer about it. */
export function bodyErrors(accepted: string): Record<number, ResponseConfig> {
  return {
    400: problemResponse(
      'The body is not valid JSON, or not UTF-8.',
      {
        malformed_json: badRequest('The body is not valid JSON.', 'malformed_json'),
        malformed_body: badRequest('The body is not valid UTF-8.', 'malformed_body'),
      },
    ),
    413: problemResponse('The body is larger than the limit (`BODY_LIMIT_BYTES`, 16 KiB by default).', { too_large: payloadTooLarge('The body may be at most 16384 bytes.') }),
    415: problemResponse(`The body is not ${accepted}.`, { wrong_type: unsupportedMediaType(`Send the body as ${accepted}.`) }),
    422: problemResponse(
      'Some fields are missing or invalid; `errors` names each one. Unknown fields are refused too.',
      { invalid_fields: unprocessable([{ field: 'email', message: 'Invalid email address' }]) },
    ),
  };
}

/**
 * 413, 415 and 502 of the endpoints that take an avatar, replacing `bodyErrors`' 413 and 415.
 * Spread after `bodyErrors(accepted)`.
 */
export function avatarErrors(accepted: string): Record<number, ResponseConfig> {
  return {
    413: problemResponse('The body, or the avatar (`AVATAR_MAX_BYTES`, 2 MiB by default), is larger than the limit.', {
      too_large: payloadTooLarge('The body may be at most 16384 bytes.'),
      avatar_too_large: payloadTooLarge('The avatar may be at most 2097152 bytes.'),
    }),
    415: problemResponse(`The body is not ${accepted}, or the avatar is not a PNG, JPEG, WebP or GIF image (decided by its first bytes).`, {
      wrong_type: unsupportedMediaType(`Send the body as ${accepted}.`),
      avatar_type: unsupportedMediaType('The avatar must be a PNG, JPEG, WebP or GIF image.'),
    }),
    502: problemResponse('The avatar could not be stored (Cloudinary failed); nothing was changed.', {
      avatar_store_failed: badGateway('The avatar could not be stored. Try again later.'),
    }),
  };
}

/** 429 with its `Retry-After` and `RateLimit-*` headers. */
export function rateLimited(what: string): Record<number, ResponseConfig> {
  const error = new HttpError(429, 'rate_limited', 'Too Many Requests', 'Too many attempts. Try again in 60 seconds.', {
    headers: { 'Retry-After': '60', 'RateLimit-Limit': '10', 'RateLimit-Remaining': '0', 'RateLimit-Reset': '60' },
  });
  return { 429: problemResponse(`Too many ${what} in the sliding window; wait \`Retry-After\` seconds.`, { rate_limited: error }) };
}

/** 503 when Redis (rate limits, one-time codes) cannot be reached: the endpoint fails closed. */
export function storeUnavailable(): Record<number, ResponseConfig> {
  return {
    503: problemResponse(
      'A service this endpoint needs (the database or Redis) cannot be reached; nothing was done. Retry after `Retry-After` seconds.',
      { store_down: serviceUnavailable('Try again in a moment.', 5) },
    ),
  };
}

/** 500: a fault on our side; details stay in the server log under the error id. */
export const internalError: Record<number, ResponseConfig> = {
  500: problemResponse(
    'Something failed on the server; the `detail` holds an error id to quote when reporting it.',
    {
      internal_error: new HttpError(500, 'internal_error', 'Internal Server Error', 'Something went wrong (error id 1b4e28ba-2fa1-11d2-883f-0016d3cca427).'),
    },
  ),
};

/** 401 for operations behind a bearer token. */
export const notSignedIn: Record<number, ResponseConfig> = {
  401: problemResponse(
    'No token, or one that is invalid, expired or revoked (after a password reset), or the user is blocked.',
    {
      no_token: unauthorized('Send a bearer access token in the Authorization header.'),
      bad_token: unauthorized('The access token is invalid, expired or revoked.'),
    },
  ),
};

/** 409 for operations that set a username or an email. */
export const taken: Record<number, ResponseConfig> = {
  409: problemResponse(
    'The username or email is already used by another account (compared in any letter case).',
    { username_taken: conflict('That username is already taken.', [{ field: 'username', message: 'Already taken.' }]) },
  ),
};
