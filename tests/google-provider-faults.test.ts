import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GET as callback } from '../api/google/callback.js';
import { answerFirst } from '../lib/background.js';
import { resetConfig } from '../lib/config.js';
import { callbackRequestAfterStart } from './support/google-callback-request.js';

// "Google" misbehaving: a loopback server whose token endpoint and key set each test scripts. The
// happy paths run against a real OpenID provider in tests/google.test.ts.
type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let tokenEndpoint: Handler;
let keysEndpoint: Handler;
let server: Server;
let base: string;
let signingKey: CryptoKey;
let publicJwk: JWK;
const ENV = { GOOGLE_CLIENT_ID: 'faults-client', GOOGLE_CLIENT_SECRET: 'faults-secret', GOOGLE_TIMEOUT_MS: '400', GOOGLE_ISSUER: 'https://faults.example' };

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  signingKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  server = createServer((req, res) => (req.url!.startsWith('/jwks') ? keysEndpoint : tokenEndpoint)(req, res));
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(process.env, ENV, { GOOGLE_TOKEN_URL: `${base}/token`, GOOGLE_JWKS_URL: `${base}/jwks` });
  resetConfig();
});
afterAll(async () => {
  for (const name of [...Object.keys(ENV), 'GOOGLE_TOKEN_URL', 'GOOGLE_JWKS_URL']) delete process.env[name];
  resetConfig();
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});
afterEach(() => vi.restoreAllMocks());

/**
 * start → callback in one (localhost) browser with `extra` query parameters; `response` null if no
 * answer within 5 s. The `code` is the flow's nonce, which `answerWithIdToken` puts in the ID token.
 */
async function callbackAfterStart(extra: Record<string, string> = {}, { spentMs = 0 } = {}) {
  const request = await callbackRequestAfterStart(extra);
  const began = Date.now();
  const response = await Promise.race([
    // As if the invocation had started `spentMs` ago.
    answerFirst(() => callback(request), performance.now() - spentMs),
    new Promise<null>((resolve) => setTimeout(() => resolve(null), 5_000)),
  ]);
  return { response, ms: Date.now() - began, error: response && new URL(response.headers.get('location')!).searchParams.get('error') };
}

/** A token endpoint that answers with a well-formed ID token signed by `key` (the served one by default). */
function answerWithIdToken(key?: CryptoKey): Handler {
  return (req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', async () => {
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: ENV.GOOGLE_ISSUER, aud: ENV.GOOGLE_CLIENT_ID, sub: `s-${now}`, iat: now, exp: now + 600, nonce: new URLSearchParams(body).get('code') };
      const idToken = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(key ?? signingKey);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'opaque', token_type: 'Bearer', id_token: idToken }));
    });
  };
}

describe('the token endpoint', () => {
  it('that never answers ends in ?error=provider_error after GOOGLE_TIMEOUT_MS, and the request is abandoned, not left open', async () => {
    let closed: Promise<void> | undefined;
    tokenEndpoint = (req) => {
      closed = new Promise((done) => req.socket.on('close', () => done()));
    };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { response, ms, error } = await callbackAfterStart();
    expect(response, `no answer after ${ms} ms`).not.toBeNull();
    expect(error).toBe('provider_error');
    expect(ms).toBeGreaterThanOrEqual(350);
    expect(ms).toBeLessThan(2_000);
    expect(warn.mock.calls.flat().join(' ')).toMatch(/token endpoint did not answer within 400 ms/);
    await expect(closed).resolves.toBeUndefined();
  });

  it('that sends its headers and then stalls the body is cut off by the same deadline', async () => {
    tokenEndpoint = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"access_token":');
    };
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { response, ms, error } = await callbackAfterStart();
    expect(response, `no answer after ${ms} ms`).not.toBeNull();
    expect(error).toBe('provider_error');
    expect(ms).toBeLessThan(2_000);
  });
});

describe('what a failed callback logs', () => {
  const FORGED = 'x\n[11111111-2222-3333-4444-555555555555] google sign-in crashed: admin password is hunter2\u2028y';
  const withoutId = (line: unknown) => String(line).replace(/^\[[0-9a-f-]{36}\] /, '');

  it("never the query's `error` text, only whether it is a registered code: one line per failure, nothing forged, and only our own codes to the frontend", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const codes = [];
    for (const value of [FORGED, 'temporarily_unavailable', 'access_denied']) codes.push((await callbackAfterStart({ error: value })).error);
    expect(codes).toEqual(['provider_error', 'provider_error', 'access_denied']); // the frontend gets only our own codes
    expect(warn.mock.calls.map(([line]) => withoutId(line))).toEqual([
      'google sign-in failed (provider_error): provider said an unregistered error code (not logged)',
      'google sign-in failed (provider_error): provider said temporarily_unavailable',
      'google sign-in failed (access_denied): provider said access_denied',
    ]);
  });

  it("never the query's `iss` text", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect((await callbackAfterStart({ iss: FORGED })).error).toBe('provider_error');
    expect(warn.mock.calls.map(([line]) => withoutId(line))).toEqual([
      'google sign-in failed (provider_error): authorization response from an issuer that is not the configured one',
    ]);
  });

  it("escapes a line break in any message, whoever wrote it (here the token endpoint's error code)", async () => {
    tokenEndpoint = (_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'invalid_grant\n[forged] line' }));
    };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect((await callbackAfterStart()).error).toBe('provider_error');
    expect(warn.mock.calls.map(([line]) => withoutId(line))).toEqual([
      'google sign-in failed (provider_error): token endpoint refused the code: invalid_grant\\u000a[forged] line',
    ]);
  });
});

describe('the key set (JWKS)', () => {
  /** The callback with the key set at `url` (a fresh one per case: a warm function keeps a set per URL). */
  async function callbackWithKeysAt(url: string) {
    process.env.GOOGLE_JWKS_URL = url;
    resetConfig();
    try {
      tokenEndpoint = answerWithIdToken();
      return await callbackAfterStart();
    } finally {
      process.env.GOOGLE_JWKS_URL = `${base}/jwks`;
      resetConfig();
    }
  }

  async function closedPort(): Promise<number> {
    const probe = createServer();
    await new Promise<void>((ready) => probe.listen(0, '127.0.0.1', ready));
    const { port } = probe.address() as AddressInfo;
    await new Promise((done) => probe.close(done));
    return port;
  }

  it('unreachable (connection refused) is ?error=provider_error, not invalid_id_token', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { error } = await callbackWithKeysAt(`http://127.0.0.1:${await closedPort()}/jwks`);
    expect(error).toBe('provider_error');
    expect(String(warn.mock.calls[0]![0])).toMatch(/\(provider_error\): keys unavailable: fetch failed \(ECONNREFUSED\)$/);
  });

  it('silent past GOOGLE_TIMEOUT_MS is ?error=provider_error', async () => {
    keysEndpoint = () => {};
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { response, ms, error } = await callbackWithKeysAt(`${base}/jwks-silent`);
    expect(response, `no answer after ${ms} ms`).not.toBeNull();
    expect(error).toBe('provider_error');
    expect(ms).toBeLessThan(2_000);
    expect(String(warn.mock.calls[0]![0])).toMatch(/keys unavailable: ERR_JWKS_TIMEOUT/);
  });

  it('answering 503, or no key set, is ?error=provider_error; a key set that answers still refuses a token it cannot verify (invalid_id_token)', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    keysEndpoint = (_req, res) => res.writeHead(503).end('busy');
    expect((await callbackWithKeysAt(`${base}/jwks-503`)).error).toBe('provider_error');
    keysEndpoint = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":"none"}');
    expect((await callbackWithKeysAt(`${base}/jwks-not-a-set`)).error).toBe('provider_error');
    keysEndpoint = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }));
    const other = (await generateKeyPair('RS256')).privateKey;
    process.env.GOOGLE_JWKS_URL = `${base}/jwks-served`;
    resetConfig();
    try {
      tokenEndpoint = answerWithIdToken(other); // signed by a key the set does not hold
      expect((await callbackAfterStart()).error).toBe('invalid_id_token');
      tokenEndpoint = answerWithIdToken(); // the control: the served key verifies
      expect((await callbackAfterStart()).error).toBe('email_not_verified'); // past verification: the token carries no email
    } finally {
      process.env.GOOGLE_JWKS_URL = `${base}/jwks`;
      resetConfig();
    }
  });
});

describe('the callback as a whole', () => {
  it("answers within GOOGLE_CALLBACK_DEADLINE_MS (or the time left of maxDuration, late in an invocation) with ?error=server_error when each call to Google is in time but together they are not", async () => {
    const after = (ms: number, handler: Handler): Handler => (req, res) => void setTimeout(() => handler(req, res), ms);
    const keys: Handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    // Token endpoint and key set 250 ms each: both inside GOOGLE_TIMEOUT_MS (400), 500 ms together.
    const slowly = async (deadlineMs: string, jwksPath: string, spentMs = 0) => {
      Object.assign(process.env, { GOOGLE_CALLBACK_DEADLINE_MS: deadlineMs, GOOGLE_JWKS_URL: `${base}${jwksPath}` }); // a fresh key set: fetched, not cached
      resetConfig();
      tokenEndpoint = after(250, answerWithIdToken());
      keysEndpoint = after(250, keys);
      try {
        return await callbackAfterStart({}, { spentMs });
      } finally {
        delete process.env.GOOGLE_CALLBACK_DEADLINE_MS;
        process.env.GOOGLE_JWKS_URL = `${base}/jwks`;
        resetConfig();
      }
    };
    const cut = await slowly('400', '/jwks-deadline-cut');
    expect(cut.response, `no answer after ${cut.ms} ms`).not.toBeNull();
    expect(cut.error).toBe('server_error');
    expect(cut.ms).toBeLessThan(2_000);
    expect(warn.mock.calls.flat().join('\n')).toMatch(/google sign-in failed \(server_error\): no answer within GOOGLE_CALLBACK_DEADLINE_MS \(400 ms\)/);
    // The control: with time for both, the same calls get past Google (the token carries no email).
    expect((await slowly('2000', '/jwks-deadline-ok')).error).toBe('email_not_verified');
    // The same 2000 ms late in an invocation that started 8.7 s ago: only the 300 ms left of the
    // function's 10 s (less the 1 s kept to answer) are given, and the browser still goes back.
    const late = await slowly('2000', '/jwks-deadline-late', 8_700);
    expect(late.error).toBe('server_error');
    expect(warn.mock.calls.flat().join('\n')).toMatch(/google sign-in failed \(server_error\): no answer within the \d+ ms left of the function's maxDuration \(10 s\)/);
  });
});
