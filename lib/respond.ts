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

/** The RFC 9457 body of an HTTP error: `type`, `title`, `status`, `detail`, and `errors` for 422. */
export function problem(error: HttpError): Response {
  const body = {
    type: `urn:problem:${error.code}`,
    title: error.title,
    status: error.status,
    detail: error.detail,
    ...(error.extra.errors ? { errors: error.extra.errors } : {}),
  };
  return new Response(JSON.stringify(body), {
    status: error.status,
    headers: { 'Content-Type': 'application/problem+json; charset=utf-8', ...error.extra.headers },
  });
}
