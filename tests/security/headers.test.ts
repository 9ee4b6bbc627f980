import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '../../lib/config.js';
import { servedMethods } from '../../lib/other-methods.js';
import { apiFiles } from '../support/api-files.js';
import { useDatabase } from '../support/database.js';
import { Tally } from './summary.js';

const FRONTEND_ORIGIN = 'http://localhost:5173';
/** Origins that only look like the frontend's: none may get CORS headers. */
const LOOKALIKES = ['https://evil.example', 'http://localhost:5173.evil.example', 'http://localhost:51730', 'http://localhost'];
const EXPOSED = ['Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'WWW-Authenticate'];
const tally = new Tally('headers');

type Handler = (request: Request) => Promise<Response>;

/**
 * Every method of every api/ file, found from the files themselves so a new endpoint is covered
 * without editing this test: nosniff on every answer, no-store on every answer that is not the
 * public API document, and CORS only for the configured frontend origin.
 */
describe('headers on every endpoint', () => {
  let cleanup: () => Promise<void>;
  const endpoints: { route: string; method: string; handler: Handler; served: string[] }[] = [];
  const saved = { ...process.env };
  beforeAll(async () => {
    // Google configured (endpoints on a closed port) so its handlers answer as in production.
    Object.assign(process.env, { GOOGLE_CLIENT_ID: 'headers-client', GOOGLE_CLIENT_SECRET: 'headers-secret', GOOGLE_TOKEN_URL: 'http://127.0.0.1:9/token' });
    resetConfig();
    cleanup = await useDatabase('pglite');
    for (const { file, route } of apiFiles()) {
      const mod = (await import(file)) as Record<string, Handler>;
      for (const [method, handler] of Object.entries(mod)) endpoints.push({ route, method, handler, served: servedMethods(mod) });
    }
  });
  afterAll(async () => {
    console.log(tally.line());
    await cleanup();
    process.env = saved;
    resetConfig();
  });

  function request(route: string, method: string, origin?: string): Request {
    const headers: Record<string, string> = origin ? { origin } : {};
    if (method === 'OPTIONS') headers['access-control-request-method'] = 'POST';
    const hasBody = method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
    if (hasBody) headers['content-type'] = 'application/json';
    return new Request(`http://localhost${route}`, { method, headers, body: hasBody ? '{}' : undefined });
  }

  it('finds the endpoints', () => {
    expect(endpoints.map((e) => `${e.method} ${e.route}`)).toEqual(expect.arrayContaining(['POST /api/register', 'POST /api/login', 'GET /api/me', 'OPTIONS /api/me']));
  });

  it('nosniff and no referrer everywhere, no-store on everything but the public API document, CORS only for the frontend', async () => {
    for (const { route, method, handler, served } of endpoints) {
      for (const origin of [FRONTEND_ORIGIN, ...LOOKALIKES, undefined]) {
        const response = await handler(request(route, method, origin));
        await response.arrayBuffer();
        tally.requests++;
        if (response.status >= 500) tally.serverErrors++;
        const label = `${method} ${route} from ${origin ?? 'no origin'} (${response.status})`;
        expect(response.status, label).toBeLessThan(500);
        expect(response.headers.get('x-content-type-options'), label).toBe('nosniff');
        expect(response.headers.get('referrer-policy'), label).toBe('no-referrer');
        if (route !== '/api/docs') expect(response.headers.get('cache-control'), label).toBe('no-store');
        // The public API document is cacheable for a few minutes, as the document says; the wrapper keeps a handler's own Cache-Control.
        if (route === '/api/docs' && method === 'GET') expect(response.headers.get('cache-control'), label).toBe('public, max-age=300');
        const allowed = response.headers.get('access-control-allow-origin');
        expect(allowed, label).toBe(origin === FRONTEND_ORIGIN ? FRONTEND_ORIGIN : null);
        expect(allowed, label).not.toBe('*');
        if (origin === FRONTEND_ORIGIN) {
          // The frontend sends credentials, and must be able to read a 429's wait and a 401's challenge.
          expect(response.headers.get('access-control-allow-credentials'), label).toBe('true');
          expect(response.headers.get('access-control-expose-headers')?.split(', '), label).toEqual(EXPOSED);
        } else {
          expect(response.headers.get('access-control-allow-credentials'), label).toBeNull();
        }
        if (method === 'OPTIONS' && origin === FRONTEND_ORIGIN) {
          expect(response.status, label).toBe(204);
          expect(response.headers.get('access-control-allow-methods'), label).toBe([...served, 'OPTIONS'].join(', '));
        }
      }
    }
    tally.notes.push(`${endpoints.length} method handlers`);
  });
});
