import { getConfig } from './config.js';

const ALLOWED_HEADERS = 'Authorization, Content-Type';
const EXPOSED_HEADERS = 'Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, WWW-Authenticate';

/**
 * Adds CORS headers when the request's `Origin` is the frontend's (FRONTEND_CALLBACK_URL's origin
 * or one of CORS_ORIGINS). A foreign origin gets no `Access-Control-Allow-Origin` at all; never `*`,
 * because the frontend may send credentials.
 */
export function applyCors(request: Request, headers: Headers): void {
  // Once, though a preflight passes here twice (its own answer, then endpoint's finishing touches).
  const varies = (headers.get('Vary') ?? '').split(',').map((name) => name.trim().toLowerCase());
  if (!varies.includes('origin') && !varies.includes('*')) headers.append('Vary', 'Origin');
  const origin = request.headers.get('origin');
  if (!origin || !getConfig().corsOrigins.includes(origin)) return;
  headers.set('Access-Control-Allow-Origin', origin);
  headers.set('Access-Control-Allow-Credentials', 'true');
  headers.set('Access-Control-Expose-Headers', EXPOSED_HEADERS);
}

/** The answer to a CORS preflight for an endpoint that serves `methods`. */
export function preflightResponse(request: Request, methods: string[]): Response {
  const headers = new Headers({ Allow: [...methods, 'OPTIONS'].join(', ') });
  applyCors(request, headers);
  if (headers.has('Access-Control-Allow-Origin')) {
    headers.set('Access-Control-Allow-Methods', [...methods, 'OPTIONS'].join(', '));
    headers.set('Access-Control-Allow-Headers', ALLOWED_HEADERS);
    headers.set('Access-Control-Max-Age', '600');
  }
  return new Response(null, { status: 204, headers });
}
