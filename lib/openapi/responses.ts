import type { ResponseConfig } from '@asteasolutions/zod-to-openapi';
import type { ZodType } from 'zod';
import type { RateLimitName } from '../config.js';
import { avatarFormRules } from '../avatar-input.js';
import { HttpError } from '../http-errors.js';
import { formCeiling } from '../multipart.js';
import { problems } from '../problems.js';
import { problemBody } from '../respond.js';
import { ProblemDetails } from '../schemas/common.js';
import { parseInput } from '../validate.js';

/**
 * The error answers the route modules share. Each example is built by the same error factories
 * and `problemBody` the handlers use, so the document shows exactly what a client receives.
 */

/** The examples show the defaults of BODY_LIMIT_BYTES and AVATAR_MAX_BYTES (lib/config.ts). */
const DEFAULT_BODY_LIMIT = 16 * 1024;
const DEFAULT_AVATAR_MAX_BYTES = 2 * 1024 * 1024;

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
  'WWW-Authenticate': { description: '`Bearer`, the scheme to authenticate with; `Bearer error="invalid_token"` when a token was sent and refused (invalid, expired or revoked: sign in again), as RFC 6750 asks.', schema: { type: 'string' } },
  'Retry-After': { description: 'Seconds to wait before trying again (on a 429, as `RateLimit-Reset`: an upper bound).', schema: { type: 'integer' } },
  'RateLimit-Limit': { description: 'Requests allowed in the window.', schema: { type: 'integer' } },
  'RateLimit-Remaining': { description: 'Requests left in the current window (0 here).', schema: { type: 'integer' } },
  'RateLimit-Reset': {
    description:
      'Seconds until the current window ends, after which a request passes again (unless others count against the same limit meanwhile). An upper bound, never too short: the sliding window weighs the previous window less as time goes on, so a request may pass sooner.',
    schema: { type: 'integer' },
  },
};

/**
 * 400, 413, 415 and 422: what any endpoint that reads a body can answer about it. The 422's
 * example is `invalid.body` run through `parseInput` with the endpoint's own schema, so it names
 * that endpoint's fields as it would answer them.
 */
export function bodyErrors(
  accepted: string,
  invalid: { schema: ZodType; body: unknown },
  options: { form?: boolean; multipart?: boolean; also400?: { description: string; examples: Record<string, HttpError> } } = {},
): Record<number, ResponseConfig> {
  return {
    400: problemResponse(
      [
        options.also400?.description,
        options.multipart
          ? 'The body is not valid JSON, not UTF-8 (also a text field of a multipart form), not a readable multipart form, or it broke off before its end.'
          : options.form
            ? 'The body is not valid JSON, not UTF-8 (in a form: not percent-encoded UTF-8), or it broke off before its end.'
            : 'The body is not valid JSON, not UTF-8, or it broke off before its end.',
      ]
        .filter(Boolean)
        .join(' Or: '),
      {
        ...options.also400?.examples,
        malformed_json: problems.malformedJson(),
        malformed_body: problems.malformedUtf8(),
        body_unreadable: problems.bodyUnreadable(),
        ...(options.form ? { malformed_form: problems.malformedForm() } : {}),
        ...(options.multipart
          ? {
              multipart_no_boundary: problems.multipartNoBoundary(),
              multipart_malformed: problems.multipartMalformed(),
              multipart_not_utf8: problems.multipartNotUtf8(),
            }
          : {}),
      },
    ),
    413: problemResponse('The body is larger than the limit (`BODY_LIMIT_BYTES`, 16 KiB by default).', { too_large: problems.bodyTooLarge(DEFAULT_BODY_LIMIT) }),
    415: problemResponse(`The body is not ${accepted}.`, { wrong_type: problems.wrongMediaType(accepted) }),
    422: problemResponse(
      'Some fields are missing or invalid; `errors` names each one (`field` is its name, or `""` for the body as a whole). Unknown fields are refused too.',
      { invalid_fields: refusal(invalid.schema, invalid.body) },
    ),
  };
}

/** The 422 `parseInput` answers for `body`; throws when the schema takes it (an example that shows nothing). */
function refusal(schema: ZodType, body: unknown): HttpError {
  try {
    parseInput(schema, body);
  } catch (error) {
    if (error instanceof HttpError && error.status === 422) return error;
    throw error;
  }
  throw new Error(`the 422 example ${JSON.stringify(body)} is valid input`);
}

/**
 * 413, 415 and 502 of the endpoints that take an avatar in a form with these text `fields`,
 * replacing `bodyErrors`' 413 and 415. Spread after `bodyErrors(accepted)`.
 */
export function avatarErrors(accepted: string, fields: readonly string[]): Record<number, ResponseConfig> {
  const form = avatarFormRules(fields, DEFAULT_AVATAR_MAX_BYTES);
  return {
    413: problemResponse('The body, the avatar (`AVATAR_MAX_BYTES`, 2 MiB by default, or its pixels, past what the image service accepts), a field of the form, or the form as a whole is larger than its limit.', {
      too_large: problems.bodyTooLarge(DEFAULT_BODY_LIMIT),
      avatar_too_large: problems.fileTooLarge(form.fileField, form.maxFileBytes),
      avatar_too_many_pixels: problems.avatarTooManyPixels(form.fileField),
      field_too_large: problems.fieldTooLarge(fields[0]!, form.maxFieldBytes),
      form_too_large: problems.formTooLarge(formCeiling(form), form.fileField, form.maxFileBytes),
    }),
    415: problemResponse(`The body is not ${accepted}, or the avatar is not a PNG, JPEG, WebP or GIF image (decided by its first bytes, then by the image service).`, {
      wrong_type: problems.wrongMediaType(accepted),
      avatar_type: problems.avatarType(form.fileField),
      avatar_unreadable: problems.avatarUnreadable(form.fileField),
    }),
    502: problemResponse('The avatar could not be stored (Cloudinary failed); nothing was changed.', {
      avatar_store_failed: problems.avatarStoreFailed(),
    }),
  };
}

/** 429 with its `Retry-After` and `RateLimit-*` headers: one example per limit the endpoint enforces. */
export function rateLimited(what: string, ...limits: RateLimitName[]): Record<number, ResponseConfig> {
  const example = { limit: 10, remaining: 0, resetSeconds: 60 };
  return {
    429: problemResponse(
      `Too many ${what} in the sliding window; wait \`Retry-After\` seconds (an upper bound: a request may pass sooner).`,
      Object.fromEntries(limits.map((name) => [name, problems.rateLimited(name, example)])),
    ),
  };
}

/**
 * 503 when a service the endpoint needs cannot be reached: the database, or Redis (rate limits,
 * one-time codes), for which the endpoint fails closed.
 */
export function unavailable(...services: ('database' | 'redis')[]): Record<number, ResponseConfig> {
  const examples: Record<string, HttpError> = {};
  if (services.includes('database')) examples.database_down = problems.databaseUnavailable();
  if (services.includes('redis')) examples.redis_down = problems.storeUnavailable();
  return {
    503: problemResponse(
      `${services.map((s) => (s === 'redis' ? 'Redis' : 'The database')).join(' or ')} cannot be reached; nothing was done. Retry after \`Retry-After\` seconds.`,
      examples,
    ),
  };
}

/** 403 of an endpoint that takes a form, for one a web page on another site sent (lib/cors.ts's refuseForeignForm). */
export const foreignForm: Record<number, ResponseConfig> = {
  403: problemResponse(
    'A form (urlencoded, multipart or text/plain: the bodies a browser sends to another site without asking first) whose `Origin` is a web page neither on this host nor in `CORS_ORIGINS`, refused before anything counts, unless the browser called it same-origin (`Sec-Fetch-Site`, as through a frontend\'s own proxy of `/api`). Requests without `Origin` (not from a browser page) and JSON are not affected.',
    { foreign_origin: problems.foreignForm() },
  ),
};

/** 500: a fault on our side, or a deployment missing a variable; details stay in the server log under the error id. */
export const internalError: Record<number, ResponseConfig> = {
  500: problemResponse(
    'Something failed on the server, or the deployment lacks a setting; the `detail` holds an error id to quote when reporting it.',
    {
      internal_error: problems.internalError('1b4e28ba-2fa1-11d2-883f-0016d3cca427'),
      misconfigured: problems.misconfigured('1b4e28ba-2fa1-11d2-883f-0016d3cca427'),
    },
  ),
};

/** 401 for operations behind a bearer token. */
export const notSignedIn: Record<number, ResponseConfig> = {
  401: problemResponse(
    'No token, or one that is invalid, expired or revoked (after a password reset), or the user is blocked or deleted.',
    { no_token: problems.noToken(), bad_token: problems.badToken() },
  ),
};

/** 409 for operations that set a username or an email. */
export const taken: Record<number, ResponseConfig> = {
  409: problemResponse(
    'The username or email is already used by another account (compared in any letter case).',
    { username_taken: problems.taken(['username']), email_taken: problems.taken(['email']), both_taken: problems.taken(['username', 'email']) },
  ),
};
