import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { createConfig, detectSpec, lintFromString } from '@redocly/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import * as docsApi from '../api/docs.js';
import * as loginApi from '../api/login.js';
import * as meApi from '../api/me.js';
import * as registerApi from '../api/register.js';
import { buildOpenApiDocument, OPENAPI_FILE, serializeOpenApiDocument } from '../lib/openapi/document.js';
import { servedMethods } from '../lib/other-methods.js';
import { DOCUMENTED } from '../lib/openapi/routes/index.js';
import { apiFiles } from './support/api-files.js';
import { useDatabase } from './support/database.js';
import { bearerRequest, formRequest, jsonRequest, newAccount } from './support/http.js';

const ROOT = resolve(import.meta.dirname, '..');
const key = (route: { method: string; path: string }) => `${route.method.toUpperCase()} ${route.path}`;

/**
 * Warnings of Redocly's `recommended` rules that the document keeps on purpose, each with its
 * reason. Anything else, and any error, fails the lint test.
 */
const ACCEPTED_WARNINGS: Record<string, string> = {
  'info-license #/info': 'the project has not chosen a licence yet; add `info.license` when it does',
  // Inventing an error the endpoint never answers would make the document lie.
  'operation-4xx-response #/paths/~1api~1docs/get/responses': 'GET /api/docs takes no input, so it has no 4xx',
  'operation-2xx-response #/paths/~1api~1google~1start/get/responses': 'answers a 302 to Google by design',
  'operation-4xx-response #/paths/~1api~1google~1callback/get/responses': 'every failure is a 302 to the frontend with ?error=',
  'operation-2xx-response #/paths/~1api~1google~1callback/get/responses': 'answers a 302 to the frontend by design',
};

async function lint(document: unknown) {
  const config = await createConfig({ extends: ['recommended'] });
  const problems = await lintFromString({ source: JSON.stringify(document), absoluteRef: 'openapi.json', config });
  return problems.map((p) => ({ severity: p.severity, id: `${p.ruleId} ${p.location[0]?.pointer}`, message: p.message }));
}

/** Every `METHOD /api/path` that a file in `api/` serves (not its CORS preflight or 405 answers). */
async function apiOperations(): Promise<string[]> {
  const operations: string[] = [];
  for (const { file, route } of apiFiles()) {
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    for (const method of servedMethods(mod)) operations.push(`${method} ${route}`);
  }
  return operations.sort();
}

describe('the OpenAPI document', () => {
  const document = buildOpenApiDocument();

  it('is OpenAPI 3.1 and lints with no error under Redocly recommended, and only the accepted warnings', async () => {
    expect(detectSpec(document)).toBe('oas3_1');
    const problems = await lint(document);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    const unexpected = problems.filter((p) => !(p.id in ACCEPTED_WARNINGS));
    expect(unexpected).toEqual([]);
  });

  it('fails the lint when the document is broken (the check is not vacuous)', async () => {
    const broken = structuredClone(document) as Record<string, any>;
    delete broken.paths['/api/login'].post.summary;
    broken.paths['/api/me'].get.responses['200'].content['application/json'].schema = { type: 'no-such-type' };
    const errors = (await lint(broken)).filter((p) => p.severity === 'error').map((p) => p.id);
    expect(errors).toContain('operation-summary #/paths/~1api~1login/post/summary');
    expect(errors).toContain('struct #/paths/~1api~1me/get/responses/200/content/application~1json/schema/type');
  });

  it('documents exactly the method exports of api/ (the drift test)', async () => {
    const documented = DOCUMENTED.map(key).sort();
    expect(documented).toEqual(await apiOperations());
    expect(Object.keys(document.paths ?? {}).sort()).toEqual([...new Set(DOCUMENTED.map((r) => r.path))].sort());
  });

  it('has an operation id, a summary, a description, security and a 4xx or documented reason on every operation', () => {
    for (const route of DOCUMENTED) {
      expect(route.operationId, key(route)).toMatch(/^[a-z][A-Za-z]+$/);
      expect(route.summary, key(route)).toBeTruthy();
      expect(route.description, key(route)).toBeTruthy();
      expect(route.security, key(route)).toBeDefined();
    }
    const ids = DOCUMENTED.map((r) => r.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('describes the bearer scheme and the OAuth2 password flow against /api/login', () => {
    const schemes = document.components?.securitySchemes as Record<string, any>;
    expect(schemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes.oauth2Password.flows.password.tokenUrl).toBe('/api/login');
    expect(document.paths?.['/api/me']?.get?.security).toEqual([{ bearerAuth: [] }, { oauth2Password: [] }]);
    expect(document.paths?.['/api/login']?.post?.security).toEqual([]);
    const login = document.paths?.['/api/login']?.post?.requestBody as any;
    expect(Object.keys(login.content).sort()).toEqual(['application/json', 'application/x-www-form-urlencoded']);
  });

  it('documents 429 on every operation whose handler enforces a limit, and 503 where Google may be unconfigured', async () => {
    // Read off the handlers' source, so a limit added to a handler without its 429 fails here.
    // One file serves every method of its path (GET and PATCH /api/me): a limit in it must be
    // documented on one of them at least.
    for (const path of new Set(DOCUMENTED.map((route) => route.path))) {
      const routes = DOCUMENTED.filter((route) => route.path === path);
      const source = readFileSync(join(ROOT, `${path.slice(1)}.ts`), 'utf8');
      if (source.includes('enforceLimit(')) expect(routes.some((route) => '429' in route.responses), `${path} 429`).toBe(true);
      for (const route of routes) if (source.includes('requireGoogle(')) expect(Object.keys(route.responses), `${key(route)} 503`).toContain('503');
    }
  });

  it("documents each body in every media type its handler reads (read off the handler's source), and no other", () => {
    const MEDIA = { json: 'application/json', form: 'application/x-www-form-urlencoded', multipart: 'multipart/form-data' } as const;
    const operations = document.paths as Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>>;
    for (const path of new Set(DOCUMENTED.map((route) => route.path))) {
      const source = readFileSync(join(ROOT, `${path.slice(1)}.ts`), 'utf8');
      const kinds = source.includes('readInputWithAvatar(') ? ['json', 'multipart'] : (/readBody\(request, \[([^\]]*)\]/.exec(source)?.[1]?.match(/\w+/g) ?? []);
      const bodies = Object.values(operations[path]!).flatMap((operation) => (operation.requestBody ? [Object.keys(operation.requestBody.content).sort()] : []));
      expect(bodies, path).toEqual(kinds.length ? [kinds.map((kind) => MEDIA[kind as keyof typeof MEDIA]).sort()] : []);
    }
  });

  it("gives every field of the account, profile and reset bodies an example that the body's schema accepts (what Swagger UI's Try it out sends)", () => {
    const document = buildOpenApiDocument(DOCUMENTED) as { components: { schemas: Record<string, { properties: Record<string, { example?: unknown }> }> } };
    for (const [method, path] of [['POST', '/api/register'], ['POST', '/api/login'], ['POST', '/api/forgot-password'], ['POST', '/api/reset-password'], ['PATCH', '/api/me']]) {
      const route = DOCUMENTED.find((r) => key(r) === `${method} ${path}`)!;
      const schema = (route.request!.body!.content['application/json'] as { schema: ZodType }).schema;
      const id = (schema.meta() as { id: string }).id;
      const properties = document.components.schemas[id]!.properties;
      // The OAuth2 form's optional extras and PATCH's `avatar: null` (which removes the avatar) have none on purpose.
      const example = Object.fromEntries(Object.entries(properties).filter(([, p]) => p.example !== undefined).map(([name, p]) => [name, p.example]));
      expect(Object.keys(example), `${method} ${path}`).toEqual(Object.keys(properties).filter((name) => !['grant_type', 'scope', 'client_id', 'client_secret', 'avatar'].includes(name)));
      expect(schema.safeParse(example).error, `${method} ${path}`).toBeUndefined();
    }
    // PATCH /api/me answers {} with a 422 (nothing to change): the document says so too.
    expect(document.components.schemas.UpdateProfileRequest).toHaveProperty('minProperties', 1);
  });

  it("gives each 422 an example naming only its own operation's fields (its body's, or its query's), or one it refuses as unknown", () => {
    let checked = 0;
    for (const route of DOCUMENTED) {
      const example = (route.responses[422] as { content?: Record<string, { examples?: Record<string, { value: { errors?: { field: string; message: string }[] } }> }> } | undefined)?.content?.['application/problem+json']?.examples?.invalid_fields?.value;
      if (!example) continue;
      const body = route.request?.body?.content['application/json'] as { schema: { shape?: Record<string, unknown> } } | undefined;
      const query = route.request?.query as { shape?: Record<string, unknown> } | undefined;
      const fields = Object.keys(body?.schema.shape ?? query?.shape ?? {});
      expect(example.errors?.length, key(route)).toBeGreaterThan(0);
      // Or one shown as refused for not being one of them.
      for (const { field, message } of example.errors!) if (message !== 'Unknown field.') expect(fields, `${key(route)}: ${field}`).toContain(field.split('.')[0]);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(6);
  });

  it('puts the rate-limit headers on every 429', () => {
    const operations = Object.values(buildOpenApiDocument(DOCUMENTED).paths ?? {}).flatMap((item) => Object.values(item as object));
    const limited = operations.filter((op: any) => op.responses['429']);
    expect(limited.length).toBeGreaterThanOrEqual(4);
    for (const op of limited as any[]) {
      expect(Object.keys(op.responses['429'].headers).sort()).toEqual(['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After']);
      expect(Object.keys(op.responses['429'].content)).toEqual(['application/problem+json']);
    }
  });
});

describe('the document against the handlers', () => {
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    cleanup = await useDatabase('pglite');
  });
  afterAll(() => cleanup?.());

  const routeOf = (method: string, path: string) => DOCUMENTED.find((r) => key(r) === `${method} ${path}`)!;

  /** Checks that `response` is documented for `route`: its status, media type and body schema. */
  async function expectDocumented(route: RouteConfig, response: Response) {
    const documented = route.responses[response.status] as { content?: Record<string, { schema: ZodType; examples?: Record<string, { value: unknown }> }> } | undefined;
    expect(documented, `${key(route)} answered an undocumented ${response.status}`).toBeDefined();
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!;
    const content = documented!.content?.[mediaType];
    expect(content, `${key(route)} ${response.status} answered undocumented ${mediaType}`).toBeDefined();
    const body = await response.json();
    expect(content!.schema.safeParse(body).error).toBeUndefined();
    return { body, examples: Object.values(content!.examples ?? {}).map((e) => e.value) };
  }

  it('register, login and me answer only documented statuses, with bodies that fit the documented schemas', async () => {
    const register = routeOf('POST', '/api/register');
    const login = routeOf('POST', '/api/login');
    const me = routeOf('GET', '/api/me');
    const account = newAccount();

    await expectDocumented(register, await registerApi.POST(jsonRequest('/api/register', account)));
    await expectDocumented(register, await registerApi.POST(jsonRequest('/api/register', account)));
    await expectDocumented(register, await registerApi.POST(jsonRequest('/api/register', { ...account, email: 'nope' })));
    await expectDocumented(register, await registerApi.POST(jsonRequest('/api/register', '{not json')));
    await expectDocumented(register, await registerApi.POST(jsonRequest('/api/register', 'x'.repeat(20_000))));
    await expectDocumented(register, await registerApi.POST(formRequest('/api/register', account)));

    const loggedIn = await expectDocumented(login, await loginApi.POST(formRequest('/api/login', { username: account.username, password: account.password })));
    await expectDocumented(login, await loginApi.POST(jsonRequest('/api/login', { username: account.username, password: account.password })));
    await expectDocumented(login, await loginApi.POST(jsonRequest('/api/login', { username: account.username })));
    await expectDocumented(login, await loginApi.POST(new Request('http://localhost/api/login', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })));

    await expectDocumented(me, await meApi.GET(bearerRequest('/api/me', loggedIn.body.access_token)));
    await expectDocumented(me, await meApi.GET(bearerRequest('/api/me', 'not-a-token')));
  });

  it('shows as examples the very problems the handlers answer', async () => {
    const login = routeOf('POST', '/api/login');
    const wrong = await expectDocumented(login, await loginApi.POST(formRequest('/api/login', { username: 'nobody', password: 'wrong password' })));
    expect(wrong.examples).toContainEqual(wrong.body);
    const me = routeOf('GET', '/api/me');
    const anonymous = await expectDocumented(me, await meApi.GET(new Request('http://localhost/api/me')));
    expect(anonymous.examples).toContainEqual(anonymous.body);
    const register = routeOf('POST', '/api/register');
    const malformed = await expectDocumented(register, await registerApi.POST(jsonRequest('/api/register', '{')));
    expect(malformed.examples).toContainEqual(malformed.body);
  });

  it('GET /api/docs answers the document the schemas generate, with a public Cache-Control', async () => {
    const response = await docsApi.GET(new Request('http://localhost/api/docs'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
  });

  it('lib/openapi/openapi.json, which GET /api/docs serves, is what the schemas generate (else run npm run docs:generate)', () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8') === serializeOpenApiDocument(), 'lib/openapi/openapi.json is stale: run npm run docs:generate').toBe(true);
  });
});
