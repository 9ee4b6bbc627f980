import { createHash } from 'node:crypto';
import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import * as docsApi from '../api/docs.js';
import * as forgotApi from '../api/forgot-password.js';
import * as callbackApi from '../api/google/callback.js';
import * as exchangeApi from '../api/google/exchange.js';
import * as startApi from '../api/google/start.js';
import * as loginApi from '../api/login.js';
import * as meApi from '../api/me.js';
import * as registerApi from '../api/register.js';
import * as resetApi from '../api/reset-password.js';
import { settleBackground } from '../lib/background.js';
import { closeDb } from '../lib/db/client.js';
import { issueExchangeCode } from '../lib/exchange-codes.js';
import { DOCUMENTED } from '../lib/openapi/routes/index.js';
import { resetStore } from '../lib/store.js';
import { form } from './avatars-suite.js';
import { useDatabase } from './support/database.js';
import { startFakeCloudinary, type FakeCloudinary } from './support/fake-cloudinary.js';
import { BASE, bearerRequest, formRequest, jsonRequest, newAccount } from './support/http.js';
import { tinyPng } from './support/images.js';
import { latestCode } from './support/outbox.js';
import { getConfig, resetConfig } from '../lib/config.js';

/**
 * The OpenAPI document against what the handlers really answer, both ways:
 * - every answer a probe provokes is documented: its status, its media type, a body that fits the
 *   documented schema, one of the documented examples (same problem `type` and `detail`, numbers
 *   and error ids aside), every header the document promises, and every header a client acts on
 *   (`Retry-After`, `RateLimit-*`, `WWW-Authenticate`, `Location`, `Set-Cookie`) documented;
 * - every documented example and success status is provoked by some probe, so the document shows
 *   no answer the handlers never give (but for the few listed in NOT_PROBED, with the reason).
 */

type Documented = {
  description: string;
  headers?: Record<string, unknown>;
  content?: Record<string, { schema: ZodType | object; examples?: Record<string, { value: { type: string; detail: string } }> }>;
};

const key = (route: { method: string; path: string }) => `${route.method.toUpperCase()} ${route.path}`;
const routeOf = (operation: string) => DOCUMENTED.find((r) => key(r) === operation)!;
const ACTED_ON = ['retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'www-authenticate', 'location', 'set-cookie'];
/**
 * Error ids and the seconds until a window frees a request vary by request; nothing else may
 * (sizes and limits are the configured defaults here, as in the examples).
 */
const normalize = (detail: string) =>
  detail.replace(/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/g, '<id>').replace(/Try again in \d+ \w+/, 'Try again in <n>');

/** Documented answers no probe here provokes, each with where it is tested instead. */
const NOT_PROBED: Record<string, string> = {};
for (const route of DOCUMENTED) {
  NOT_PROBED[`${key(route)} 500 internal_error`] = 'a crash; tests/endpoint.test.ts throws from a handler and checks the answer';
}

const hits = new Set<string>();

/** Checks one answer of `operation` against the document, records what it provoked, answers the body. */
async function expectDocumented(operation: string, response: Response): Promise<any> {
  const route = routeOf(operation);
  const documented = route.responses[response.status] as Documented | undefined;
  expect(documented, `${operation} answered an undocumented ${response.status}: ${await response.clone().text()}`).toBeDefined();
  // Every documented header but those documented as `required: false` (sent on some answers of that status only).
  for (const [name, header] of Object.entries(documented!.headers ?? {})) {
    if ((header as { required?: boolean }).required === false) continue;
    expect(response.headers.has(name), `${operation} ${response.status} lacks the documented ${name}`).toBe(true);
  }
  const promised = Object.keys(documented!.headers ?? {}).map((h) => h.toLowerCase());
  for (const name of ACTED_ON) {
    if (response.headers.has(name)) expect(promised, `${operation} ${response.status} sends an undocumented ${name}`).toContain(name);
  }
  if (!documented!.content) {
    expect(await response.text()).toBe('');
    hits.add(`${operation} ${response.status}`);
    return undefined;
  }
  const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!;
  const content = documented!.content[mediaType];
  expect(content, `${operation} ${response.status} answered an undocumented ${mediaType}`).toBeDefined();
  const body = await response.json();
  const schema = content!.schema as ZodType;
  if ('safeParse' in schema) expect(schema.safeParse(body).error, `${operation} ${response.status} body`).toBeUndefined();
  if (mediaType !== 'application/problem+json') {
    hits.add(`${operation} ${response.status}`);
    return body;
  }
  const examples = Object.entries(content!.examples ?? {});
  const match = examples.find(([, example]) => example.value.type === body.type && normalize(example.value.detail) === normalize(body.detail));
  expect(match, `${operation} ${response.status} answered ${JSON.stringify(body)}, which no example shows: ${examples.map(([, e]) => e.value.detail).join(' | ')}`).toBeDefined();
  hits.add(`${operation} ${response.status} ${match![0]}`);
  return body;
}

/**
 * Runs `fn` with these variables set (and the configuration rebuilt, and the store too, which
 * forgets the in-process one's codes and counts, unless `keepStore`), then puts them back.
 */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>, keepStore = false): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    resetConfig();
    if (!keepStore) resetStore();
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

const request = (path: string, init: RequestInit = {}) => new Request(BASE + path, init);
const post = (path: string, body: BodyInit, type: string) => request(path, { method: 'POST', headers: { 'content-type': type }, body });
/** A multipart form whose `full_name` holds a byte that is not UTF-8 (Latin-1 é). */
const NOT_UTF8_FIELD = Buffer.concat([Buffer.from('--b\r\nContent-Disposition: form-data; name="full_name"\r\n\r\ncaf'), Buffer.from([0xe9]), Buffer.from('\r\n--b--\r\n')]);
const NOT_UTF8 = new Uint8Array([0x7b, 0xff, 0x7d]);
/** A body whose stream breaks after its first bytes, as a dropped connection does: a multipart form, or JSON. */
const broken = (path: string, method: string, headers: Record<string, string> = {}, json = false) =>
  request(path, {
    method,
    headers: { ...headers, 'content-type': json ? 'application/json' : 'multipart/form-data; boundary=b' },
    body: new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(json ? '{"username":"ada"' : '--b\r\ncontent-disposition: form-data; name="username"\r\n\r\nada'));
        controller.error(new Error('connection reset'));
      },
    }),
    duplex: 'half',
  } as RequestInit);
const GOOGLE = { GOOGLE_CLIENT_ID: 'client.apps.googleusercontent.com', GOOGLE_CLIENT_SECRET: 'google-client-secret' };

describe('the OpenAPI document against every answer the handlers give', () => {
  let cleanup: () => Promise<void>;
  let cloudinary: FakeCloudinary;
  const account = newAccount();
  let token = '';

  beforeAll(async () => {
    cloudinary = await startFakeCloudinary();
    process.env.CLOUDINARY_URL = cloudinary.cloudinaryUrl;
    cleanup = await useDatabase('pglite');
    const registered = await expectDocumented('POST /api/register', await registerApi.POST(jsonRequest('/api/register', account)));
    token = registered.access_token;
  });
  afterAll(async () => {
    await settleBackground();
    await cleanup?.();
    await cloudinary?.close();
    delete process.env.CLOUDINARY_URL;
  });

  it('POST /api/register', async () => {
    const op = 'POST /api/register';
    const send = (body: Blob) => registerApi.POST(request('/api/register', { method: 'POST', body }));
    await expectDocumented(op, await send(form(newAccount(), [{ bytes: tinyPng(), filename: 'a.png', type: 'image/png' }])));
    await expectDocumented(op, await registerApi.POST(jsonRequest('/api/register', { ...account, email: newAccount().email })));
    await expectDocumented(op, await registerApi.POST(jsonRequest('/api/register', { ...account, username: newAccount().username })));
    await expectDocumented(op, await registerApi.POST(jsonRequest('/api/register', account)));
    await expectDocumented(op, await registerApi.POST(jsonRequest('/api/register', { ...newAccount(), email: 'nope' })));
    await expectDocumented(op, await registerApi.POST(jsonRequest('/api/register', '{')));
    await expectDocumented(op, await registerApi.POST(post('/api/register', NOT_UTF8, 'application/json')));
    await expectDocumented(op, await registerApi.POST(post('/api/register', 'x', 'multipart/form-data')));
    await expectDocumented(op, await registerApi.POST(post('/api/register', '--b\r\nbroken', 'multipart/form-data; boundary=b')));
    await expectDocumented(op, await registerApi.POST(post('/api/register', NOT_UTF8_FIELD, 'multipart/form-data; boundary=b')));
    await expectDocumented(op, await registerApi.POST(jsonRequest('/api/register', 'x'.repeat(20_000))));
    await expectDocumented(op, await registerApi.POST(post('/api/register', 'x', 'text/plain')));
    await expectDocumented(op, await registerApi.POST(request('/api/register', { method: 'POST', headers: { origin: 'https://elsewhere.example' }, body: form(newAccount()) })));
    await expectDocumented(op, await send(form(newAccount(), [{ bytes: Buffer.from('not an image'), filename: 'a.png' }])));
    await expectDocumented(op, await send(form(newAccount(), [{ bytes: tinyPng().subarray(0, 40), filename: 'a.png' }])));
    await expectDocumented(op, await send(form(newAccount(), [{ bytes: Buffer.concat([tinyPng(), Buffer.alloc(2 * 1024 * 1024)]), filename: 'a.png' }])));
    await expectDocumented(op, await send(form({ ...newAccount(), username: 'x'.repeat(2000) })));
    await expectDocumented(op, await registerApi.POST(broken('/api/register', 'POST')));
    const huge = request('/api/register', { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=b', 'content-length': String(50 * 1024 * 1024) }, body: '--b--' });
    await expectDocumented(op, await registerApi.POST(huge));
    cloudinary.failNext('upload', 500);
    await expectDocumented(op, await send(form(newAccount(), [{ bytes: tinyPng(), filename: 'a.png' }])));
    cloudinary.failNext('upload', 400, { message: 'Maximum image size is 25 Megapixels. Requested 33.6 Megapixels' });
    await expectDocumented(op, await send(form(newAccount(), [{ bytes: tinyPng(), filename: 'a.png' }])));
  });

  it('POST /api/login', async () => {
    const op = 'POST /api/login';
    await expectDocumented(op, await loginApi.POST(formRequest('/api/login', { username: account.username, password: account.password })));
    await expectDocumented(op, await loginApi.POST(jsonRequest('/api/login', { username: account.username, password: 'wrong password' })));
    await expectDocumented(op, await loginApi.POST(jsonRequest('/api/login', { username: account.username })));
    await expectDocumented(op, await loginApi.POST(jsonRequest('/api/login', '[')));
    await expectDocumented(op, await loginApi.POST(post('/api/login', 'username=ada&password=caf%E9-secret', 'application/x-www-form-urlencoded')));
    await expectDocumented(op, await loginApi.POST(post('/api/login', NOT_UTF8, 'application/json')));
    await expectDocumented(op, await loginApi.POST(jsonRequest('/api/login', 'x'.repeat(20_000))));
    await expectDocumented(op, await loginApi.POST(post('/api/login', 'x', 'text/plain')));
    await expectDocumented(op, await loginApi.POST(broken('/api/login', 'POST', {}, true)));
    const foreign = formRequest('/api/login', { username: account.username, password: account.password });
    foreign.headers.set('origin', 'https://elsewhere.example');
    await expectDocumented(op, await loginApi.POST(foreign));
  });

  it('GET and PATCH /api/me', async () => {
    await expectDocumented('GET /api/me', await meApi.GET(bearerRequest('/api/me', token)));
    await expectDocumented('GET /api/me', await meApi.GET(request('/api/me')));
    await expectDocumented('GET /api/me', await meApi.GET(bearerRequest('/api/me', 'not-a-token')));

    const op = 'PATCH /api/me';
    const patch = (body: BodyInit, type?: string, auth = token) =>
      meApi.PATCH(request('/api/me', { method: 'PATCH', headers: { authorization: `Bearer ${auth}`, ...(type ? { 'content-type': type } : {}) }, body }));
    const other = newAccount();
    await registerApi.POST(jsonRequest('/api/register', other));
    await expectDocumented(op, await patch(JSON.stringify({ full_name: 'Ada' }), 'application/json'));
    await expectDocumented(op, await patch(form({}, [{ bytes: tinyPng(), filename: 'a.png' }])));
    await expectDocumented(op, await patch(JSON.stringify({ full_name: 'Ada' }), 'application/json', 'not-a-token'));
    await expectDocumented(op, await meApi.PATCH(request('/api/me', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{}' })));
    await expectDocumented(op, await patch(JSON.stringify({}), 'application/json'));
    await expectDocumented(op, await patch(JSON.stringify({ username: other.username }), 'application/json'));
    await expectDocumented(op, await patch(JSON.stringify({ email: other.email }), 'application/json'));
    await expectDocumented(op, await patch(JSON.stringify({ username: other.username, email: other.email }), 'application/json'));
    await expectDocumented(op, await patch('{', 'application/json'));
    await expectDocumented(op, await patch(NOT_UTF8, 'application/json'));
    await expectDocumented(op, await patch('x', 'multipart/form-data'));
    await expectDocumented(op, await patch('--b\r\nbroken', 'multipart/form-data; boundary=b'));
    await expectDocumented(op, await patch(NOT_UTF8_FIELD, 'multipart/form-data; boundary=b'));
    await expectDocumented(op, await patch('x'.repeat(20_000), 'application/json'));
    await expectDocumented(op, await patch('x', 'text/plain'));
    await expectDocumented(op, await patch(form({}, [{ bytes: Buffer.from('not an image'), filename: 'a.png' }])));
    await expectDocumented(op, await patch(form({}, [{ bytes: tinyPng().subarray(0, 40), filename: 'a.png' }])));
    await expectDocumented(op, await patch(form({}, [{ bytes: Buffer.concat([tinyPng(), Buffer.alloc(2 * 1024 * 1024)]), filename: 'a.png' }])));
    await expectDocumented(op, await patch(form({ username: 'x'.repeat(2000) })));
    await expectDocumented(op, await meApi.PATCH(broken('/api/me', 'PATCH', { authorization: `Bearer ${token}` })));
    const huge = request('/api/me', { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'multipart/form-data; boundary=b', 'content-length': String(50 * 1024 * 1024) }, body: '--b--' });
    await expectDocumented(op, await meApi.PATCH(huge));
    cloudinary.failNext('upload', 500);
    await expectDocumented(op, await patch(form({}, [{ bytes: tinyPng(), filename: 'a.png' }])));
    cloudinary.failNext('upload', 400, { message: 'Maximum image size is 25 Megapixels. Requested 33.6 Megapixels' });
    await expectDocumented(op, await patch(form({}, [{ bytes: tinyPng(), filename: 'a.png' }])));
  });

  it('POST /api/forgot-password and /api/reset-password', async () => {
    const forgot = 'POST /api/forgot-password';
    await expectDocumented(forgot, await forgotApi.POST(jsonRequest('/api/forgot-password', { email: account.email })));
    await expectDocumented(forgot, await forgotApi.POST(jsonRequest('/api/forgot-password', { email: 'nope' })));
    await expectDocumented(forgot, await forgotApi.POST(jsonRequest('/api/forgot-password', '{')));
    await expectDocumented(forgot, await forgotApi.POST(formRequest('/api/forgot-password', { email: account.email })));
    await expectDocumented(forgot, await forgotApi.POST(post('/api/forgot-password', NOT_UTF8, 'application/json')));
    await expectDocumented(forgot, await forgotApi.POST(jsonRequest('/api/forgot-password', 'x'.repeat(20_000))));
    await expectDocumented(forgot, await forgotApi.POST(post('/api/forgot-password', 'x', 'text/plain')));
    await expectDocumented(forgot, await forgotApi.POST(broken('/api/forgot-password', 'POST', {}, true)));
    await settleBackground();
    const code = await latestCode(getConfig().outboxDir, account.email);

    const reset = 'POST /api/reset-password';
    const wrong = code === '000000' ? '111111' : '000000';
    await expectDocumented(reset, await resetApi.POST(jsonRequest('/api/reset-password', { email: account.email, otp: wrong, new_password: 'another long password' })));
    await expectDocumented(reset, await resetApi.POST(jsonRequest('/api/reset-password', { email: account.email, otp: code, new_password: account.password })));
    await expectDocumented(reset, await resetApi.POST(jsonRequest('/api/reset-password', { email: account.email, otp: code, new_password: 'short' })));
    await expectDocumented(reset, await resetApi.POST(jsonRequest('/api/reset-password', '{')));
    await expectDocumented(reset, await resetApi.POST(post('/api/reset-password', NOT_UTF8, 'application/json')));
    await expectDocumented(reset, await resetApi.POST(jsonRequest('/api/reset-password', 'x'.repeat(20_000))));
    await expectDocumented(reset, await resetApi.POST(post('/api/reset-password', 'x', 'text/plain')));
    await expectDocumented(reset, await resetApi.POST(broken('/api/reset-password', 'POST', {}, true)));
    await expectDocumented(reset, await resetApi.POST(jsonRequest('/api/reset-password', { email: account.email, otp: code, new_password: account.password + ' new' })));
    account.password += ' new';
    token = (await (await loginApi.POST(jsonRequest('/api/login', { username: account.username, password: account.password }))).json()).access_token;
  });

  it('Google sign-in: start, callback and exchange', async () => {
    await expectDocumented('GET /api/google/start', await startApi.GET(request('/api/google/start')));
    await expectDocumented('GET /api/google/callback', await callbackApi.GET(request('/api/google/callback?code=x&state=y')));
    await withEnv(GOOGLE, async () => {
      await expectDocumented('GET /api/google/start', await startApi.GET(request('/api/google/start')));
      await expectDocumented('GET /api/google/start', await startApi.GET(request(`/api/google/start?code_challenge=${'c'.repeat(43)}&code_challenge_method=S256`)));
      await expectDocumented('GET /api/google/start', await startApi.GET(request('/api/google/start?code_challenge=too-short')));
      await expectDocumented('GET /api/google/callback', await callbackApi.GET(request('/api/google/callback?code=x&state=y')));
    });

    const op = 'POST /api/google/exchange';
    const me = await (await meApi.GET(bearerRequest('/api/me', token))).json();
    const code = await issueExchangeCode({ id: me.id, tokenVersion: 1 });
    await expectDocumented(op, await exchangeApi.POST(jsonRequest('/api/google/exchange', { code })));
    await expectDocumented(op, await exchangeApi.POST(jsonRequest('/api/google/exchange', { code })));
    const bound = await issueExchangeCode({ id: me.id, tokenVersion: 1 }, createHash('sha256').update('v'.repeat(43)).digest('base64url'));
    await expectDocumented(op, await exchangeApi.POST(jsonRequest('/api/google/exchange', { code: bound, code_verifier: 'w'.repeat(43) })));
    await expectDocumented(op, await exchangeApi.POST(jsonRequest('/api/google/exchange', { code, code_verifier: 'short' })));
    await expectDocumented(op, await exchangeApi.POST(jsonRequest('/api/google/exchange', {})));
    await expectDocumented(op, await exchangeApi.POST(jsonRequest('/api/google/exchange', '{')));
    await expectDocumented(op, await exchangeApi.POST(post('/api/google/exchange', NOT_UTF8, 'application/json')));
    await expectDocumented(op, await exchangeApi.POST(jsonRequest('/api/google/exchange', 'x'.repeat(20_000))));
    await expectDocumented(op, await exchangeApi.POST(post('/api/google/exchange', 'x', 'text/plain')));
    await expectDocumented(op, await exchangeApi.POST(broken('/api/google/exchange', 'POST', {}, true)));
  });

  it('GET /api/docs', async () => {
    await expectDocumented('GET /api/docs', await docsApi.GET(request('/api/docs')));
  });

  /** PATCH /api/me with a new avatar, as the signed-in test account. */
  const avatarUpload = () => request('/api/me', { method: 'PATCH', headers: { authorization: `Bearer ${token}` }, body: form({}, [{ bytes: tinyPng(), filename: 'a.png' }]) });

  /** PATCH /api/me changing the signed-in test account's username to a new one (from `ip`, if given). */
  const nameChange = (ip?: string) => jsonRequest('/api/me', { username: newAccount().username }, { method: 'PATCH', headers: { authorization: `Bearer ${token}`, ...(ip ? { 'x-forwarded-for': ip } : {}) } });

  it('every limit answers its own documented 429', async () => {
    const limits = Object.fromEntries(['LOGIN_IP', 'LOGIN_ACCOUNT', 'REGISTER_IP', 'FORGOT_IP', 'FORGOT_EMAIL', 'RESET_IP', 'RESET_EMAIL', 'RESET_FAILURES', 'EXCHANGE_IP', 'AVATAR_USER', 'PROFILE_USER', 'PROFILE_IP'].map((n) => [`RATE_LIMIT_${n}`, '1/1m']));
    const twice = async (op: string, send: () => Promise<Response>) => {
      await send();
      const second = await send();
      expect(second.status, op).toBe(429);
      await expectDocumented(op, second);
    };
    const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
    await withEnv(limits, async () => {
      // The login limits: the address's (a second attempt from one address, for another name),
      // then the account's (a second failure for one account, from another address).
      await twice('POST /api/login', () => loginApi.POST(jsonRequest('/api/login', { username: newAccount().username, password: 'wrong password' }, from('203.0.113.1'))));
      let n = 2;
      await twice('POST /api/login', () => loginApi.POST(jsonRequest('/api/login', { username: account.username, password: 'wrong password' }, from(`203.0.113.${n++}`))));
      await twice('POST /api/register', () => registerApi.POST(jsonRequest('/api/register', newAccount(), from('203.0.113.50'))));
      await twice('POST /api/forgot-password', () => forgotApi.POST(jsonRequest('/api/forgot-password', { email: newAccount().email }, from('203.0.113.60'))));
      await twice('POST /api/forgot-password', () => forgotApi.POST(jsonRequest('/api/forgot-password', { email: account.email }, from(`203.0.113.${n++}`))));
      await twice('POST /api/reset-password', () => resetApi.POST(jsonRequest('/api/reset-password', { email: account.email, otp: '123456', new_password: 'another long password' })));
    });
    // The address's failures alone (its attempts not limited): the wrong code counts, the next is refused.
    await withEnv({ ...limits, RATE_LIMIT_RESET_EMAIL: '100/1m', RATE_LIMIT_RESET_IP: '100/1m' }, async () => {
      const email = newAccount().email;
      await twice('POST /api/reset-password', () => resetApi.POST(jsonRequest('/api/reset-password', { email, otp: '123456', new_password: 'another long password' })));
    });
    // The address's attempts alone (the client's and the failures not limited).
    await withEnv({ ...limits, RATE_LIMIT_RESET_IP: '100/1m', RATE_LIMIT_RESET_FAILURES: '100/1m' }, async () => {
      const email = newAccount().email;
      await twice('POST /api/reset-password', () => resetApi.POST(jsonRequest('/api/reset-password', { email, otp: '123456', new_password: 'another long password' })));
    });
    await withEnv(limits, async () => {
      await twice('POST /api/google/exchange', () => exchangeApi.POST(jsonRequest('/api/google/exchange', { code: 'unknown' }, from('203.0.113.70'))));
      await twice('PATCH /api/me', () => meApi.PATCH(avatarUpload()));
      await twice('PATCH /api/me', () => meApi.PATCH(nameChange()));
    });
    // The client address's changes alone (the account's not limited), from an address of its own.
    await withEnv({ ...limits, RATE_LIMIT_PROFILE_USER: '100/1m' }, async () => {
      await twice('PATCH /api/me', () => meApi.PATCH(nameChange('203.0.113.80')));
    });
    await settleBackground();
  });

  it('Redis down: 503 from every endpoint that needs it', async () => {
    await withEnv({ UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:1', UPSTASH_REDIS_REST_TOKEN: 'token', REDIS_TIMEOUT_MS: '300' }, async () => {
      await expectDocumented('POST /api/register', await registerApi.POST(jsonRequest('/api/register', newAccount())));
      await expectDocumented('POST /api/login', await loginApi.POST(jsonRequest('/api/login', { username: account.username, password: account.password })));
      await expectDocumented('POST /api/forgot-password', await forgotApi.POST(jsonRequest('/api/forgot-password', { email: account.email })));
      await expectDocumented('POST /api/reset-password', await resetApi.POST(jsonRequest('/api/reset-password', { email: account.email, otp: '123456', new_password: 'another long password' })));
      await expectDocumented('POST /api/google/exchange', await exchangeApi.POST(jsonRequest('/api/google/exchange', { code: 'unknown' })));
      await expectDocumented('PATCH /api/me', await meApi.PATCH(avatarUpload()));
      // A change of name counts against its limit first: without Redis nothing is looked up or changed.
      const renaming = await meApi.PATCH(nameChange());
      expect(renaming.status).toBe(503);
      await expectDocumented('PATCH /api/me', renaming);
      await settleBackground();
    });
  });

  it('the database down: 503 from every endpoint that reads it', async () => {
    const down = { DATABASE_DRIVER: 'pg', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', DB_CONNECT_TIMEOUT_MS: '300' };
    // A live reset code, so that the reset gets past its code check to the database.
    await forgotApi.POST(jsonRequest('/api/forgot-password', { email: account.email }));
    await settleBackground();
    const code = await latestCode(getConfig().outboxDir, account.email);
    await closeDb();
    try {
      await withEnv(down, async () => {
        await expectDocumented('POST /api/register', await registerApi.POST(jsonRequest('/api/register', newAccount())));
        await expectDocumented('POST /api/login', await loginApi.POST(jsonRequest('/api/login', { username: account.username, password: account.password })));
        await expectDocumented('GET /api/me', await meApi.GET(bearerRequest('/api/me', token)));
        const patch = request('/api/me', { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"full_name":"Ada"}' });
        await expectDocumented('PATCH /api/me', await meApi.PATCH(patch));
        await expectDocumented('POST /api/forgot-password', await forgotApi.POST(jsonRequest('/api/forgot-password', { email: account.email })));
        await expectDocumented('POST /api/reset-password', await resetApi.POST(jsonRequest('/api/reset-password', { email: account.email, otp: code, new_password: 'another long password' })));
        await settleBackground();
        await closeDb();
      }, true);
    } finally {
      await closeDb();
    }
  });

  it('a deployment missing its settings: 500 misconfigured from every operation', async () => {
    const sends: [string, () => Promise<Response>][] = [
      ['POST /api/register', () => registerApi.POST(jsonRequest('/api/register', newAccount()))],
      ['POST /api/login', () => loginApi.POST(jsonRequest('/api/login', { username: 'a', password: 'b' }))],
      ['GET /api/me', () => meApi.GET(request('/api/me'))],
      ['PATCH /api/me', () => meApi.PATCH(request('/api/me', { method: 'PATCH' }))],
      ['POST /api/forgot-password', () => forgotApi.POST(jsonRequest('/api/forgot-password', {}))],
      ['POST /api/reset-password', () => resetApi.POST(jsonRequest('/api/reset-password', {}))],
      ['GET /api/google/start', () => startApi.GET(request('/api/google/start'))],
      ['GET /api/google/callback', () => callbackApi.GET(request('/api/google/callback'))],
      ['POST /api/google/exchange', () => exchangeApi.POST(jsonRequest('/api/google/exchange', {}))],
      ['GET /api/docs', () => docsApi.GET(request('/api/docs'))],
    ];
    await withEnv({ NODE_ENV: 'production', SECRET_KEY: undefined }, async () => {
      for (const [op, send] of sends) await expectDocumented(op, await send());
    });
  });

  it('every documented answer was provoked above (the document shows none the handlers never give)', () => {
    const documented = DOCUMENTED.flatMap((route) =>
      Object.entries(route.responses as Record<string, Documented>).flatMap(([status, response]) => {
        const examples = response.content?.['application/problem+json']?.examples;
        return examples ? Object.keys(examples).map((name) => `${key(route)} ${status} ${name}`) : [`${key(route)} ${status}`];
      }),
    );
    expect(documented.filter((answer) => !hits.has(answer) && !(answer in NOT_PROBED))).toEqual([]);
    expect(Object.keys(NOT_PROBED).filter((answer) => !documented.includes(answer))).toEqual([]);
  });
});
