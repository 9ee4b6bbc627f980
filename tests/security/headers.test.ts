import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '../../lib/config.js';
import { useDatabase } from '../support/database.js';
import { Tally } from './summary.js';

const API = resolve(import.meta.dirname, '../../api');
const FRONTEND_ORIGIN = 'http://localhost:5173';
const tally = new Tally('headers');

function apiFiles(dir = API): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? apiFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

type Handler = (request: Request) => Promise<Response>;

/**
 * Every method of every api/ file, found from the files themselves so a new endpoint is covered
 * without editing this test: nosniff on every answer, no-store on every answer that is not the
 * public API document, and CORS only for the configured frontend origin.
 */
describe('headers on every endpoint', () => {
  let cleanup: () => Promise<void>;
  const endpoints: { route: string; method: string; handler: Handler }[] = [];
  const saved = { ...process.env };
  beforeAll(async () => {
    // Google configured (endpoints on a closed port) so its handlers answer as in production.
    Object.assign(process.env, { GOOGLE_CLIENT_ID: 'headers-client', GOOGLE_CLIENT_SECRET: 'headers-secret', GOOGLE_TOKEN_URL: 'http://127.0.0.1:9/token' });
    resetConfig();
    cleanup = await useDatabase('pglite');
    for (const file of apiFiles()) {
      const route = '/' + relative(resolve(API, '..'), file).replace(/\.ts$/, '');
      const mod = (await import(file)) as Record<string, Handler>;
      for (const [method, handler] of Object.entries(mod)) endpoints.push({ route, method, handler });
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

  it('nosniff everywhere, no-store on everything but the public API document, CORS only for the frontend', async () => {
    for (const { route, method, handler } of endpoints) {
      for (const origin of [FRONTEND_ORIGIN, 'https://evil.example', undefined]) {
        const response = await handler(request(route, method, origin));
        await response.arrayBuffer();
        tally.requests++;
        if (response.status >= 500) tally.serverErrors++;
        const label = `${method} ${route} from ${origin ?? 'no origin'} (${response.status})`;
        expect(response.status, label).toBeLessThan(500);
        expect(response.headers.get('x-content-type-options'), label).toBe('nosniff');
        if (route !== '/api/docs') expect(response.headers.get('cache-control'), label).toBe('no-store');
        const allowed = response.headers.get('access-control-allow-origin');
        expect(allowed, label).toBe(origin === FRONTEND_ORIGIN ? FRONTEND_ORIGIN : null);
        expect(allowed, label).not.toBe('*');
        if (method === 'OPTIONS' && origin === FRONTEND_ORIGIN) {
          expect(response.status, label).toBe(204);
          expect(response.headers.get('access-control-allow-methods'), label).toContain(endpoints.find((e) => e.route === route && e.method !== 'OPTIONS')!.method);
        }
      }
    }
    tally.notes.push(`${endpoints.length} method handlers`);
  });
});
