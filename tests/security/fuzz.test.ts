import { count } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as login } from '../../api/login.js';
import { GET as me } from '../../api/me.js';
import { POST as register } from '../../api/register.js';
import { getDb } from '../../lib/db/client.js';
import { users } from '../../lib/db/schema.js';
import { useDatabase } from '../support/database.js';
import { hostileBody, hostileString } from './hostile.js';
import { leaksIn } from './leaks.js';
import { Tally } from './summary.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 500);
const tally = new Tally('fuzz');
type Handler = (request: Request) => Promise<Response>;

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/x-www-form-urlencoded',
  'text/plain',
  '',
  'multipart/form-data; boundary=----x',
  'application/xml',
];

/** Sends one request and checks the answer: no 5xx, no leak, every error a complete problem+json. */
async function probe(handler: Handler, request: Request): Promise<number> {
  const response = await handler(request);
  const text = await response.text();
  tally.requests++;
  if (response.status >= 500) tally.serverErrors++;
  const leaks = leaksIn(text);
  if (leaks.length > 0) tally.leaks++;
  expect(response.status, text).toBeLessThan(500);
  expect(leaks, text).toEqual([]);
  if (response.status >= 400) {
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = JSON.parse(text);
    expect(problem).toMatchObject({ status: response.status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  }
  return response.status;
}

function post(path: string, contentType: string, body: string | Uint8Array): Request {
  return new Request(`http://localhost${path}`, {
    method: 'POST',
    headers: contentType ? { 'content-type': contentType } : {},
    body: body as BodyInit,
  });
}

const validUsername = fc.stringMatching(/^[a-z0-9_]{3,20}$/);
const validEmail = fc.tuple(fc.stringMatching(/^[a-z0-9]{1,12}$/), fc.constantFrom('example.com', 'mail.test')).map(([a, b]) => `${a}@${b}`);
const validPassword = fc.string({ minLength: 8, maxLength: 30 });

describe('fuzz: hostile input to every endpoint and content type', () => {
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    cleanup = await useDatabase('pglite');
  });
  afterAll(async () => {
    console.log(tally.line());
    await cleanup();
  });

  async function userCount(): Promise<number> {
    const [row] = await (await getDb()).select({ n: count() }).from(users);
    return Number(row!.n);
  }

  it(`POST /api/register: ${RUNS} cases, and only valid requests create rows`, async () => {
    const before = await userCount();
    let created = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...CONTENT_TYPES),
        hostileBody({ username: validUsername, email: validEmail, password: validPassword, full_name: hostileString }),
        async (type, body) => {
          const status = await probe(register, post('/api/register', type, body));
          if (status === 201) created++;
          else expect([400, 409, 413, 415, 422]).toContain(status);
        },
      ),
      { numRuns: RUNS },
    );
    tally.add('sign-ups accepted', created);
    expect(created).toBeGreaterThan(0); // the valid path was exercised too
    expect(await userCount()).toBe(before + created);
  });

  it(`POST /api/login: ${RUNS} cases`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...CONTENT_TYPES),
        hostileBody({ username: validUsername, password: validPassword, grant_type: fc.constant('password') }),
        async (type, body) => {
          const form = type === 'application/x-www-form-urlencoded' && typeof body === 'string' && body.startsWith('{')
            ? new URLSearchParams(Object.entries(JSON.parse(body)).map(([k, v]) => [k, String(v)])).toString()
            : body;
          const status = await probe(login, post('/api/login', type, form));
          expect([400, 401, 413, 415, 422]).toContain(status);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it(`GET /api/me: ${RUNS} hostile Authorization headers`, async () => {
    const headerSafe = hostileString.map((s) => s.replace(/[^\x20-\x7e]/g, '?'));
    const fakeJwt = fc
      .tuple(fc.base64String(), fc.base64String(), fc.base64String())
      .map((parts) => parts.map((p) => p.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')).join('.'));
    await fc.assert(
      fc.asyncProperty(fc.oneof(headerSafe, fakeJwt.map((t) => `Bearer ${t}`), headerSafe.map((t) => `Bearer ${t}`)), async (header) => {
        const status = await probe(me, new Request('http://localhost/api/me', { headers: { authorization: header } }));
        expect(status).toBe(401);
      }),
      { numRuns: RUNS },
    );
  });
});
