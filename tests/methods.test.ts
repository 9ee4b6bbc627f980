import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HTTP_METHODS, servedMethods } from '../lib/other-methods.js';
import { apiFiles } from './support/api-files.js';
import { BASE, problemOf } from './support/http.js';

/** The frontend's origin under the embedded defaults (FRONTEND_CALLBACK_URL's). */
const FRONTEND = 'http://localhost:5173';

// Vercel dispatches every method to the file's export of that name, and answers one it does not
// find with a bare 405 of its own; so each file exports them all.
describe('a method a function does not serve', () => {
  for (const { file, route } of apiFiles()) {
    it(`${route}: is a 405 problem+json naming the served methods in Allow, readable by the frontend`, async () => {
      const mod = (await import(pathToFileURL(file).href)) as Record<string, (request: Request) => Promise<Response>>;
      const served = servedMethods(mod);
      expect(served.length).toBeGreaterThan(0);
      for (const method of HTTP_METHODS) {
        expect(typeof mod[method], `${route} exports ${method}`).toBe('function');
        if (method === 'OPTIONS' || served.includes(method)) continue;
        const response = await mod[method]!(new Request(BASE + route, { method, headers: { origin: FRONTEND } }));
        expect(response.status, `${method} ${route}`).toBe(405);
        expect(response.headers.get('allow')).toBe([...served, 'OPTIONS'].join(', '));
        expect(response.headers.get('access-control-allow-origin')).toBe(FRONTEND);
        expect(response.headers.get('cache-control')).toBe('no-store');
        expect(response.headers.get('vary')).toBe('Origin');
        expect((await problemOf(response)).type).toBe('urn:problem:method_not_allowed');
      }
    });
  }

  it('serves what the API table says: GET and PATCH on /api/me, POST on /api/login', async () => {
    expect(servedMethods(await import('../api/me.js'))).toEqual(['GET', 'PATCH']);
    expect(servedMethods(await import('../api/login.js'))).toEqual(['POST']);
  });

  it('counts only the methods a module exports as functions (the dev server answers 405 for a file without otherMethods by it)', () => {
    expect(servedMethods({ GET: async () => new Response(), POST: undefined, note: 'not a method' })).toEqual(['GET']);
  });
});
