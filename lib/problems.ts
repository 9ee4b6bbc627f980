import type { RateLimitName } from './config.js';
import { badGateway, badRequest, conflict, forbidden, HttpError, payloadTooLarge, serviceUnavailable, tooManyRequests, unauthorized, unsupportedMediaType } from './http-errors.js';

/**
 * A wait as a person reads it, rounded up, so never shorter than `Retry-After`: seconds under a
 * minute, minutes under an hour, then hours ("Try again in 56 minutes", not "in 3306 seconds").
 *
 * @example waitInWords(45) // '45 seconds'; waitInWords(3306) // '56 minutes'; waitInWords(25909) // '8 hours'
 */
export function waitInWords(seconds: number): string {
  const [count, unit] = seconds < 60 ? [seconds, 'second'] : seconds < 3600 ? [Math.ceil(seconds / 60), 'minute'] : [Math.ceil(seconds / 3600), 'hour'];
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

const LIMIT_MESSAGES: Record<RateLimitName, string> = {
  loginIp: 'Too many sign-in attempts from this address.',
  loginAccount: 'Too many failed sign-ins for this account.',
  registerIp: 'Too many sign-ups from this address.',
  forgotIp: 'Too many password reset requests from this address.',
  forgotEmail: 'Too many password reset requests for this email address.',
  resetIp: 'Too many password reset attempts from this address.',
  resetEmail: 'Too many password reset attempts for this email address.',
  resetFailures: 'Too many failed password resets for this email address.',
  exchangeIp: 'Too many sign-in code exchanges from this address.',
  emailNotice: 'Too many account notices to this email address.',
  avatarUser: 'Too many avatar uploads for this account.',
  profileUser: 'Too many username or email changes for this account.',
  profileIp: 'Too many username or email changes from this address.',
};

/**
 * The problems the handlers answer in fixed words, each defined once: the handlers throw these,
 * and the OpenAPI document (lib/openapi/) shows them as its examples, so the two cannot drift.
 * Problems whose words depend on the request (limits, sizes, fields) are built where they arise.
 *
 * @example throw problems.invalidResetCode();
 */
export const problems = {
  malformedJson: () => badRequest('The body is not valid JSON.', 'malformed_json'),
  malformedUtf8: () => badRequest('The body is not valid UTF-8.', 'malformed_body'),
  malformedForm: () => badRequest('The form is not valid percent-encoded UTF-8.', 'malformed_body'),
  multipartNoBoundary: () => badRequest('The multipart body has no valid boundary.', 'malformed_body'),
  multipartMalformed: () => badRequest('The multipart body is malformed.', 'malformed_body'),
  multipartNotUtf8: () => badRequest('A text field of the multipart body is not valid UTF-8.', 'malformed_body'),
  /** The client stopped sending, or the connection broke, while the body was being read. */
  bodyUnreadable: () => badRequest('The request body could not be read.', 'malformed_body'),
  /** 415 naming the media types accepted, e.g. `application/json or multipart/form-data`. */
  wrongMediaType: (accepted: string) => unsupportedMediaType(`Send the body as ${accepted}.`),
  bodyTooLarge: (limit: number) => payloadTooLarge(`The body may be at most ${limit} bytes.`),
  // The field's own problems name it in `errors`, as a 422 does: a frontend can show "the image is too
  // large" beside the file input, rather than read it out of the detail. The whole body's do not.
  fileTooLarge: (field: string, limit: number) => payloadTooLarge(`The ${field} may be at most ${limit} bytes.`, [{ field, message: `At most ${limit} bytes.` }]),
  fieldTooLarge: (field: string, limit: number) => payloadTooLarge(`The field ${field} may be at most ${limit} bytes.`, [{ field, message: `At most ${limit} bytes.` }]),
  /** Past the cap on a whole multipart form (the file, every field and their headers). */
  formTooLarge: (limit: number, fileField: string, maxFileBytes: number) =>
    payloadTooLarge(`The body may be at most ${limit} bytes: one ${fileField} of at most ${maxFileBytes} bytes and the fields.`),
  /** `field`: the form field that carried the file (AVATAR_FIELD). */
  avatarType: (field: string) => unsupportedMediaType('The avatar must be a PNG, JPEG, WebP or GIF image.', [{ field, message: 'Not a PNG, JPEG, WebP or GIF image.' }]),
  /** Its first bytes said image, but the image service could not read it. */
  avatarUnreadable: (field: string) => unsupportedMediaType('The avatar could not be read as a PNG, JPEG, WebP or GIF image.', [{ field, message: 'Not a readable PNG, JPEG, WebP or GIF image.' }]),
  /** The image service refused its width × height (all frames of an animation together). */
  avatarTooManyPixels: (field: string) =>
    payloadTooLarge('The avatar has more pixels than the image service accepts: send one of smaller dimensions (or, if animated, fewer frames).', [{ field, message: 'Too many pixels.' }]),
  avatarStoreFailed: () => badGateway('The avatar could not be stored. Nothing was changed; please try again.'),
  /** 409 naming every field whose value another account has (`username`, `email`), so a form can mark them all at once. */
  taken: (fields: readonly string[]) =>
    conflict(
      `That ${fields.map((field) => field.replace('_', ' ')).join(' and ')} ${fields.length > 1 ? 'are' : 'is'} already taken.`,
      fields.map((field) => ({ field, message: 'Already taken.' })),
    ),
  rateLimited: (name: RateLimitName, limit: { limit: number; remaining: number; resetSeconds: number }) =>
    tooManyRequests(`${LIMIT_MESSAGES[name]} Try again in ${waitInWords(limit.resetSeconds)}.`, limit),
  /** 401 of a login, whatever failed: unknown user, wrong password, blocked, Google-only. */
  loginFailed: () => unauthorized('Incorrect username or password.'),
  noToken: () => unauthorized('Send a bearer access token in the Authorization header.'),
  // RFC 6750: a token was sent and refused, so the challenge says so (a client can tell "sign in again" from "no token sent").
  badToken: () => unauthorized('The access token is invalid, expired or revoked.', 'invalid_token'),
  /** 400 of a reset, whatever was wrong with the code (wrong, used, expired, replaced). */
  invalidResetCode: () => badRequest('The code is wrong, used or expired. Ask for a new one.', 'invalid_code'),
  /** A form posted by a web page on an origin neither this host, the frontend's nor in CORS_ORIGINS (lib/cors.ts). */
  foreignForm: () =>
    forbidden(
      "A form from a web page on another origin is refused: only this host's pages, the frontend's (FRONTEND_CALLBACK_URL's origin) and the origins in CORS_ORIGINS may send one.",
      'foreign_origin',
    ),
  passwordUnchanged: () => forbidden('The new password must differ from the current one.', 'password_unchanged'),
  invalidExchangeCode: () => badRequest('The code is unknown, already used or expired. Sign in with Google again.', 'invalid_code'),
  /** A type of its own (no Retry-After: retrying will not help), so a frontend can tell it from an outage and hide its Google button. */
  googleNotConfigured: () => new HttpError(503, 'google_not_configured', 'Service Unavailable', 'Google sign-in is not configured.'),
  /** Redis (rate limits, codes) unreachable or too slow: fail closed. Retry after 5 s: long enough
   *  not to hammer it, short for a blip. */
  storeUnavailable: () => serviceUnavailable('A backing service is unavailable; try again shortly.', 5),
  databaseUnavailable: () => serviceUnavailable('The database cannot be reached right now; try again shortly.', 5),
  /** The details are in the log under `id`. */
  misconfigured: (id: string) => new HttpError(500, 'misconfigured', 'Internal Server Error', `The service is misconfigured (error id ${id}).`),
  internalError: (id: string) => new HttpError(500, 'internal_error', 'Internal Server Error', `Something went wrong (error id ${id}).`),
};
