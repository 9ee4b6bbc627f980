import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GET as callback } from '../api/google/callback.js';
import { GET as start } from '../api/google/start.js';
import { resetConfig } from '../lib/config.js';

// "Google" misbehaving: a loopback server whose token endpoint each test scripts. The happy paths
// run against a real OpenID provider in tests/google.test.ts.
let tokenEndpoint: (req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let base: string;
const ENV = { GOOGLE_CLIENT_ID: 'faults-client', GOOGLE_CLIENT_SECRET: 'faults-secret', GOOGLE_TIMEOUT_MS: '400' };

beforeAll(async () => {
  server = createServer((req, res) => tokenEndpoint(req, res));
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

/** start → callback in one (localhost) browser with `extra` query parameters; null if no answer within 5 s. */
async function callbackAfterStart(extra: Record<string, string>) {
  const started = await start(new Request('http://localhost:3000/api/google/start'));
  const cookie = started.headers.getSetCookie()[0]!.split(';')[0]!;
  const url = new URL('http://localhost:3000/api/google/callback');
  url.searchParams.set('state', new URL(started.headers.get('location')!).searchParams.get('state')!);
  for (const [name, value] of Object.entries(extra)) url.searchParams.set(name, value);
  const began = Date.now();
  const response = await Promise.race([
    callback(new Request(url, { headers: { cookie } })),
    new Promise<null>((resolve) => setTimeout(() => resolve(null), 5_000)),
  ]);
  return { response, ms: Date.now() - began, error: response && new URL(response.headers.get('location')!).searchParams.get('error') };
}

describe('the token endpoint', () => {
  it('that never answers ends in ?error=provider_error after GOOGLE_TIMEOUT_MS, and the request is abandoned, not left open', async () => {
    let closed: Promise<void> | undefined;
    tokenEndpoint = (req) => {
      closed = new Promise((done) => req.socket.on('close', () => done()));
    };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { response, ms, error } = await callbackAfterStart({ code: 'any' });
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
    const { response, ms, error } = await callbackAfterStart({ code: 'any' });
    expect(response, `no answer after ${ms} ms`).not.toBeNull();
    expect(error).toBe('provider_error');
    expect(ms).toBeLessThan(2_000);
  });
});

describe('what a failed callback logs', () => {
  const FORGED = 'x\n[11111111-2222-3333-4444-555555555555] google sign-in crashed: admin password is hunter2\u2028y';
  const withoutId = (line: unknown) => String(line).replace(/^\[[0-9a-f-]{36}\] /, '');

  it("never the query's `error` text, only whether it is a registered code: one line per failure, nothing forged", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (const value of [FORGED, 'temporarily_unavailable', 'access_denied']) await callbackAfterStart({ error: value });
    expect(warn.mock.calls.map(([line]) => withoutId(line))).toEqual([
      'google sign-in failed (provider_error): provider said an unregistered error code (not logged)',
      'google sign-in failed (provider_error): provider said temporarily_unavailable',
      'google sign-in failed (access_denied): provider said access_denied',
    ]);
  });

  it("never the query's `iss` text", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect((await callbackAfterStart({ iss: FORGED, code: 'any' })).error).toBe('provider_error');
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
    expect((await callbackAfterStart({ code: 'any' })).error).toBe('provider_error');
    expect(warn.mock.calls.map(([line]) => withoutId(line))).toEqual([
      'google sign-in failed (provider_error): token endpoint refused the code: invalid_grant\\u000a[forged] line',
    ]);
  });
});
