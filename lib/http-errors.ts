/**
 * The few HTTP errors a handler throws. `lib/endpoint.ts` turns each into an RFC 9457
 * `application/problem+json` answer; anything else thrown becomes a 500 without details.
 */

/** One invalid field of a 422 answer. `field` is the dotted path, `""` for the body itself. */
export interface FieldError {
  field: string;
  message: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    /** Stable, machine-readable problem code; the problem `type` is `urn:problem:<code>`. */
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly extra: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = 'HttpError';
  }
}

export const badRequest = (detail: string, code = 'bad_request') =>
  new HttpError(400, code, 'Bad Request', detail);

/** A 401 with its challenge: `Bearer`, or with an RFC 6750 error code (`invalid_token`). */
export const unauthorized = (detail: string, error?: 'invalid_token') =>
  new HttpError(401, 'unauthorized', 'Unauthorized', detail, {
    headers: { 'WWW-Authenticate': error ? `Bearer error="${error}"` : 'Bearer' },
  });

export const forbidden = (detail: string, code = 'forbidden') =>
  new HttpError(403, code, 'Forbidden', detail);

export const notFound = (detail: string) => new HttpError(404, 'not_found', 'Not Found', detail);

export const methodNotAllowed = (allow: string[]) =>
  new HttpError(405, 'method_not_allowed', 'Method Not Allowed', `Use ${allow.join(', ')}.`, {
    headers: { Allow: allow.join(', ') },
  });

export const conflict = (detail: string, errors?: FieldError[]) =>
  new HttpError(409, 'conflict', 'Conflict', detail, errors ? { errors } : {});

/** 413; with `errors` when one field is what is too large (the avatar file, a text field). */
export const payloadTooLarge = (detail: string, errors?: FieldError[]) =>
  new HttpError(413, 'payload_too_large', 'Payload Too Large', detail, errors ? { errors } : {});

/** 415; with `errors` when it is one field's content (the avatar file), not the body's media type. */
export const unsupportedMediaType = (detail: string, errors?: FieldError[]) =>
  new HttpError(415, 'unsupported_media_type', 'Unsupported Media Type', detail, errors ? { errors } : {});

export const unprocessable = (errors: FieldError[]) =>
  new HttpError(422, 'validation_failed', 'Unprocessable Content', 'Some fields are invalid.', { errors });

export const serviceUnavailable = (detail: string, retryAfterSeconds?: number) =>
  new HttpError(503, 'service_unavailable', 'Service Unavailable', detail, {
    headers: retryAfterSeconds ? { 'Retry-After': String(retryAfterSeconds) } : {},
  });

/** 429 with `Retry-After` and the `RateLimit-*` fields (seconds until the current window ends: an upper bound, see lib/rate-limit.ts). */
export const tooManyRequests = (detail: string, limit: { limit: number; remaining: number; resetSeconds: number }) =>
  new HttpError(429, 'rate_limited', 'Too Many Requests', detail, {
    headers: {
      'Retry-After': String(limit.resetSeconds),
      'RateLimit-Limit': String(limit.limit),
      'RateLimit-Remaining': String(limit.remaining),
      'RateLimit-Reset': String(limit.resetSeconds),
    },
  });
export const badGateway = (detail: string) => new HttpError(502, 'bad_gateway', 'Bad Gateway', detail);
