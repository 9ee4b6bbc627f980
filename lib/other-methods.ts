import { endpoint, preflight, type Handler } from './endpoint.js';
import { methodNotAllowed } from './http-errors.js';

/** The methods Vercel's Node.js runtime dispatches to an `api/` file's exports. */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

const refusals = new WeakSet<Handler>();

/**
 * The exports an `api/` file adds beside the handlers it serves: `OPTIONS` answering CORS
 * preflights for them, and every other method a 405 problem+json naming them in `Allow` (with the
 * usual security and CORS headers). Without these Vercel answers a method a file does not export
 * with a bare 405: no body, no `Allow`, no CORS header a browser could read it by.
 * Decision: `HEAD` is refused like the rest rather than run as `GET`, because a GET here can have
 * effects (the Google callback spends its authorization code).
 *
 * @example export const { OPTIONS, HEAD, POST, PUT, DELETE } = otherMethods({ GET, PATCH });
 */
export function otherMethods(served: Partial<Record<HttpMethod, Handler>>): Record<HttpMethod, Handler> {
  const allowed = HTTP_METHODS.filter((method) => served[method]);
  const refuse = endpoint(async () => {
    throw methodNotAllowed([...allowed, 'OPTIONS']);
  });
  refusals.add(refuse);
  const handlers = Object.fromEntries(HTTP_METHODS.map((method) => [method, served[method] ?? refuse])) as Record<HttpMethod, Handler>;
  return { ...handlers, OPTIONS: preflight(allowed) };
}

/**
 * The methods a loaded `api/` module really serves, in `HTTP_METHODS` order and without `OPTIONS`:
 * what the OpenAPI document must describe and the bench measures.
 *
 * @example servedMethods(await import('./api/me.ts')) // ['GET', 'PATCH']
 */
export function servedMethods(module: Record<string, unknown>): HttpMethod[] {
  return HTTP_METHODS.filter((method) => method !== 'OPTIONS' && typeof module[method] === 'function' && !refusals.has(module[method] as Handler));
}
