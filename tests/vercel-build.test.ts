import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '../lib/config.js';
import { closeDb } from '../lib/db/client.js';
import { resetStore } from '../lib/store.js';
import { productionEnvironment, withEnv } from '../scripts/bench/environment.js';
import type { BenchAccount, RequestSpec } from '../scripts/bench/requests.js';
import { requestFor } from '../scripts/bench/requests.js';
import { seedAccount } from '../scripts/bench/seed.js';
import { buildLikeVercel, type VercelFunction } from '../scripts/bench/vercel-build.js';
import { postgresAvailable, redisAvailable } from './support/services.js';

const enabled = (await postgresAvailable()) && (await redisAvailable());

interface Answer {
  status: number;
  body: string;
  /** Promises the function handed to the request context's waitUntil. */
  handedOver: number;
  stderr: string;
}

/**
 * One request to a built function in a fresh Node process, inside the request context the Vercel
 * runtime provides (read by @vercel/functions' waitUntil), in the function's own folder, as on Vercel.
 */
async function answer(fn: VercelFunction, request: RequestSpec, env: Record<string, string>): Promise<Answer> {
  const child = `
    const handedOver = [];
    globalThis[Symbol.for('@vercel/request-context')] = { get: () => ({ waitUntil: (p) => handedOver.push(p) }) };
    const request = ${JSON.stringify(request)};
    const mod = await import(${JSON.stringify(pathToFileURL(join(fn.dir, fn.handler)).href)});
    const response = await mod[request.method](new Request(request.url, request));
    const body = await response.text();
    await Promise.all(handedOver);
    console.log(JSON.stringify({ status: response.status, body, handedOver: handedOver.length }));`;
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', child], { cwd: fn.dir, env });
  return { ...(JSON.parse(stdout) as Omit<Answer, 'stderr'>), stderr };
}

/**
 * The functions as Vercel's own Node.js builder builds them (each TypeScript file compiled alone,
 * node_modules traced, vercel.json applied), run in production mode against the Neon and Upstash
 * stand-ins: what a deployment runs, short of the platform itself.
 */
describe.skipIf(!enabled)("functions built by Vercel's Node.js builder", () => {
  const out = mkdtempSync(join(tmpdir(), 'vercel-built-'));
  let built: Record<'docs' | 'me' | 'login', VercelFunction>;
  let production: Awaited<ReturnType<typeof productionEnvironment>>;
  let account: BenchAccount;
  let saved: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const [docs, me, login] = await buildLikeVercel(['api/docs.ts', 'api/me.ts', 'api/login.ts'], out);
    built = { docs: docs!, me: me!, login: login! };
    saved = { ...process.env };
    production = await productionEnvironment();
    Object.assign(process.env, production.env);
    resetConfig();
    resetStore();
    await closeDb();
    account = await seedAccount(production.provider);
  }, 180_000);
  afterAll(async () => {
    await closeDb();
    await production?.close();
    process.env = saved;
    resetConfig();
    resetStore();
    rmSync(out, { recursive: true, force: true });
  });

  it('serves the OpenAPI document (its JSON import of lib/openapi/openapi.json is compiled and traced)', async () => {
    const { status, body, stderr } = await answer(built.docs, { method: 'GET', url: 'https://auth.example.com/api/docs', headers: {} }, production.env);
    expect(stderr).toBe('');
    expect(status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ openapi: expect.stringMatching(/^3\.1\./), paths: expect.objectContaining({ '/api/login': expect.any(Object) }) });
  });

  it('answers GET /api/me through the Neon driver', async () => {
    const request = await withEnv(production.env, () => requestFor('/api/me', account));
    const { status, body, stderr } = await answer(built.me, request, production.env);
    expect(stderr).toBe('');
    expect(status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ id: account.id, username: account.username });
  });

  it('signs in and hands the limit refund to waitUntil, logging nothing', async () => {
    const request = await withEnv(production.env, () => requestFor('/api/login', account));
    const { status, body, handedOver, stderr } = await answer(built.login, request, production.env);
    expect(stderr).toBe('');
    expect(status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ token_type: 'bearer' });
    expect(handedOver).toBe(1);
  });

  it('answers a method the function does not serve with a 405 problem naming the ones it does', async () => {
    const { status, body, stderr } = await answer(built.me, { method: 'DELETE', url: 'https://auth.example.com/api/me', headers: {} }, production.env);
    expect(stderr).toBe('');
    expect(status).toBe(405);
    expect(JSON.parse(body)).toMatchObject({ type: 'urn:problem:method_not_allowed', detail: 'Use GET, PATCH, OPTIONS.' });
  });

  it('deploys no PGlite (vercel.json excludes it; production never loads it)', () => {
    for (const fn of Object.values(built)) {
      expect(existsSync(join(fn.dir, 'node_modules/@electric-sql/pglite'))).toBe(false);
      expect(existsSync(join(fn.dir, 'node_modules/@neondatabase/serverless'))).toBe(fn !== built.docs);
      expect(existsSync(join(fn.dir, 'node_modules/@asteasolutions/zod-to-openapi'))).toBe(false); // the document is generated ahead
    }
  });
});
