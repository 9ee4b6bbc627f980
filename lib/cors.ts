import { mediaType } from './body.js';
import { getConfig } from './config.js';
import { problems } from './problems.js';

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

/** The bodies a browser sends to another origin without a preflight (CORS "simple" requests). */
const SENT_UNASKED = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

/**
 * Refuses (403) a form that a web page on another origin had its visitor's browser send: the one
 * request a browser sends cross-site without asking first, and whose answer the page cannot read
 * but whose effect it gets all the same. Sign-up takes multipart and login the OAuth2 form, as the
 * brief asks; without this any web page could sign up accounts through its visitors' browsers, each
 * from an address of its own past `RATE_LIMIT_REGISTER_IP`, uploading avatars, timing the answers
 * (a taken email is refused before the bcrypt work), or spread password guesses over them.
 * Passes a request with no Origin (not a browser's cross-site send: curl, a server, a mobile app),
 * one from this host's own pages (the API docs), one from a CORS origin, and one the browser itself
 * calls same-origin (`Sec-Fetch-Site`, which no page can set): a frontend's own proxy of `/api`
 * (a dev server's, such as Vite's with `changeOrigin`, or a rewrite on the frontend's host) may
 * name this host in Host while Origin names the frontend's. Call it first, before any limit
 * counts. JSON needs a preflight, which only CORS origins pass.
 * "This host" is compared as host and port, not scheme, as `startHostFor` compares hosts: behind a
 * proxy `request.url` may say http:// for a page the browser loaded over https:// (Vercel's own
 * request adapter builds it from Host alone), and a plain-http page on this very host and port
 * cannot exist where HTTPS is enforced.
 *
 * @example refuseForeignForm(request); // first thing in POST /api/register
 */
export function refuseForeignForm(request: Request): void {
  const origin = request.headers.get('origin');
  if (origin === null || !SENT_UNASKED.has(mediaType(request)) || request.headers.get('sec-fetch-site') === 'same-origin') return;
  if (getConfig().corsOrigins.includes(origin) || (URL.canParse(origin) && new URL(origin).host === new URL(request.url).host)) return;
  throw problems.foreignForm();
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
