import type { HttpError } from './http-errors.js';

/**
 * A JSON answer. Responses default to `Cache-Control: no-store` (set by the endpoint wrapper),
 * because nearly every answer of an auth service holds a token or user data.
 *
 * @example return json({ ok: true }, 201);
 */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
  });
}

/** The answer to an HTTP error: its problem body as `application/problem+json`, with its headers. */
export function problem(error: HttpError): Response {
  return new Response(JSON.stringify(problemBody(error)), {
    status: error.status,
    headers: { 'Content-Type': 'application/problem+json; charset=utf-8', ...error.extra.headers },
  });
}

/**
 * The RFC 9457 body of an HTTP error: `type`, `title`, `status`, `detail`, and `errors` for 422.
 * The OpenAPI document builds its examples with it, so they are exactly what clients receive.
 *
 * @example problemBody(conflict('That username is taken.')) // { type: 'urn:problem:conflict', … }
 */
export function problemBody(error: HttpError) {
  return {
    type: `urn:problem:${error.code}`,
    title: error.title,
    status: error.status,
    detail: error.detail,
    ...(error.extra.errors ? { errors: error.extra.errors } : {}),
  };
}
