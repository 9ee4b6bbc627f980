import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GET as me, OPTIONS as mePreflight } from '../api/me.js';
import { ConfigError, loadConfig, resetConfig } from '../lib/config.js';
import { PRODUCTION_ENV, problemsOf } from './support/production-env.js';

const freshDir = () => mkdtempSync(join(tmpdir(), 'auth-config-'));


describe('configuration', () => {
  afterEach(() => {
    resetConfig();
    vi.restoreAllMocks();
  });

  it('in production names every missing variable and falls back to nothing', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    const names = ['DATABASE_URL', 'SECRET_KEY', 'SESSION_SECRET_KEY', 'FRONTEND_CALLBACK_URL', 'GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN', 'MAIL_SERVER', 'MAIL_FROM'];
    // Whole lines, so that SESSION_SECRET_KEY does not stand in for SECRET_KEY.
    for (const name of names) expect(problems, name).toContainEqual(expect.stringMatching(new RegExp(`^${name}\\b.*missing`)));
    expect(problems.join('\n')).toContain('CLOUDINARY_URL');
  });

  it('treats VERCEL_ENV as production and reports malformed values with the missing ones', () => {
    const problems = problemsOf({ VERCEL_ENV: 'preview', BCRYPT_COST: 'twelve', SECRET_KEY: 'short' }).join('\n');
    expect(problems).toContain('BCRYPT_COST');
    expect(problems).toContain('SECRET_KEY');
    expect(problems).toContain('DATABASE_URL');
  });

  it('names every problem in one error, the ones between variables too', () => {
    const problems = problemsOf({ VERCEL_ENV: 'production', DATABASE_DRIVER: 'pglite', SECRET_KEY: 'x'.repeat(31), UPSTASH_REDIS_REST_URL: 'rediss://h:6379' }).join('\n');
    expect(problems).toContain('SECRET_KEY must be at least 32 characters');
    expect(problems).toContain('DATABASE_DRIVER pglite is not allowed in production');
    expect(problems).toContain('UPSTASH_REDIS_REST_TOKEN is missing');
    expect(problems).toContain('must be the REST URL');
  });

  it('in production refuses secrets that are no secret: a published example, a placeholder, one key for both jobs', () => {
    const base = { ...PRODUCTION_ENV, DATABASE_URL: 'postgres://u:p@ep-x.neon.tech/db', CLOUDINARY_URL: 'cloudinary://123:abc@demo' };
    const placeholder = (name: string) => `${name} looks like a placeholder, not a random string: generate one (openssl rand -base64 48)`;
    expect(problemsOf({ ...base, SESSION_SECRET_KEY: 'another-long-random-secret-string' })).toEqual([placeholder('SESSION_SECRET_KEY')]);
    expect(problemsOf({ ...base, SECRET_KEY: 'x'.repeat(40) })).toEqual([placeholder('SECRET_KEY')]);
    expect(problemsOf({ ...base, SECRET_KEY: 'changeme'.repeat(5) })).toEqual([placeholder('SECRET_KEY')]);
    expect(problemsOf({ ...base, SECRET_KEY: 'password1'.repeat(4) })).toEqual([placeholder('SECRET_KEY')]); // 8 different characters
    expect(problemsOf({ ...base, SECRET_KEY: 'password12'.repeat(4) })).toEqual([placeholder('SECRET_KEY')]); // 9
    expect(problemsOf({ ...base, SESSION_SECRET_KEY: base.SECRET_KEY })).toEqual(['SESSION_SECRET_KEY must differ from SECRET_KEY']);
    expect(problemsOf(base)).toEqual([]);
    // Outside production the developer's own values are theirs to choose.
    expect(problemsOf({ NODE_ENV: 'development', DATA_DIR: freshDir(), SECRET_KEY: 'x'.repeat(40), SESSION_SECRET_KEY: 'x'.repeat(40) })).toEqual([]);
  });

  it('in production refuses plain http for the Upstash URL and the frontend callback, but for this machine', () => {
    const base = { ...PRODUCTION_ENV, DATABASE_URL: 'postgres://u:p@ep-x.neon.tech/db', CLOUDINARY_URL: 'cloudinary://123:abc@demo' };
    const offMachine = problemsOf({ ...base, UPSTASH_REDIS_REST_URL: 'http://eu1-example.upstash.io', FRONTEND_CALLBACK_URL: 'http://app.example.com/auth/callback' });
    expect(offMachine).toEqual([
      'UPSTASH_REDIS_REST_URL must be https:// in production (http:// only to localhost)',
      'FRONTEND_CALLBACK_URL must be https:// in production (http:// only to localhost)',
    ]);
    for (const host of ['127.0.0.1:8079', '127.0.0.2:8079', 'localhost:8079', '[::1]:8079']) {
      expect(problemsOf({ ...base, UPSTASH_REDIS_REST_URL: `http://${host}`, FRONTEND_CALLBACK_URL: `http://${host}/cb` })).toEqual([]);
    }
    // Only this machine itself: a host that merely starts like it is another machine.
    for (const host of ['localhost.evil.example', '127.0.0.1.evil.example']) {
      expect(problemsOf({ ...base, UPSTASH_REDIS_REST_URL: `http://${host}`, FRONTEND_CALLBACK_URL: `http://${host}/cb` }), host).toEqual([
        'UPSTASH_REDIS_REST_URL must be https:// in production (http:// only to localhost)',
        'FRONTEND_CALLBACK_URL must be https:// in production (http:// only to localhost)',
      ]);
    }
    // Outside production a developer's plain-http frontend on another machine is fine.
    expect(problemsOf({ NODE_ENV: 'development', DATA_DIR: freshDir(), FRONTEND_CALLBACK_URL: 'http://192.168.1.20:5173/cb' })).toEqual([]);
    // CORS_ORIGINS are sent credentials: the same rule.
    expect(problemsOf({ ...base, CORS_ORIGINS: 'https://admin.example.com,http://app.example.com' })).toEqual([
      'CORS_ORIGINS must be https:// origins in production (http:// only to localhost): http://app.example.com',
    ]);
    expect(problemsOf({ ...base, CORS_ORIGINS: 'https://admin.example.com, http://localhost:5173' })).toEqual([]);
  });

  it("in production takes Google's endpoint overrides and Cloudinary's upload_prefix only to a stand-in on this machine", () => {
    const base = { ...PRODUCTION_ENV, DATABASE_URL: 'postgres://u:p@ep-x.neon.tech/db', CLOUDINARY_URL: 'cloudinary://123:abc@demo' };
    const names = ['GOOGLE_AUTH_URL', 'GOOGLE_TOKEN_URL', 'GOOGLE_JWKS_URL', 'GOOGLE_ISSUER'];
    const elsewhere = problemsOf({ ...base, ...Object.fromEntries(names.map((name) => [name, 'https://idp.example.com/x'])), CLOUDINARY_URL: 'cloudinary://123:abc@demo?upload_prefix=https://api.example.com' });
    expect(elsewhere).toEqual([
      ...names.map((name) => `${name} is only for tests against a stand-in on this machine: unset it in production, where Google's own endpoints are used`),
      "CLOUDINARY_URL's upload_prefix is only for tests against a stand-in on this machine: leave it out in production",
    ]);
    const here = { GOOGLE_AUTH_URL: 'http://127.0.0.1:9000/auth', GOOGLE_TOKEN_URL: 'http://localhost:9000/token', GOOGLE_JWKS_URL: 'http://[::1]:9000/jwks', GOOGLE_ISSUER: 'http://127.0.0.1:9000' };
    expect(problemsOf({ ...base, ...here, CLOUDINARY_URL: 'cloudinary://123:abc@demo?upload_prefix=http://127.0.0.1:9' })).toEqual([]);
    // Google's own values, spelt out, are fine; outside production anything goes (tests, a staging IdP).
    const own = { GOOGLE_AUTH_URL: 'https://accounts.google.com/o/oauth2/v2/auth', GOOGLE_TOKEN_URL: 'https://oauth2.googleapis.com/token', GOOGLE_JWKS_URL: 'https://www.googleapis.com/oauth2/v3/certs', GOOGLE_ISSUER: 'https://accounts.google.com' };
    expect(problemsOf({ ...base, ...own })).toEqual([]);
    expect(problemsOf({ NODE_ENV: 'development', DATA_DIR: freshDir(), GOOGLE_ISSUER: 'https://idp.example.com' })).toEqual([]);
  });

  it("uses Google's published endpoints unless the tests override them, and both spellings of its issuer", () => {
    const { google } = loadConfig({ DATA_DIR: freshDir(), GOOGLE_CLIENT_ID: 'id', GOOGLE_CLIENT_SECRET: 'secret' });
    // As https://accounts.google.com/.well-known/openid-configuration gives them; the tests only
    // ever reach a local provider, so this is what checks the values a deployment uses.
    expect(google).toMatchObject({
      authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      jwksUrl: 'https://www.googleapis.com/oauth2/v3/certs',
      issuers: ['https://accounts.google.com', 'accounts.google.com'],
    });
  });

  it('takes CORS_ORIGINS as origins only: a trailing slash and capitals are forgiven, a path or a wildcard refused', () => {
    const dir = freshDir();
    const config = loadConfig({ DATA_DIR: dir, CORS_ORIGINS: ' https://a.example.com/ ,http://localhost:8080,https://App.Example.com' });
    expect(config.corsOrigins).toEqual(['http://localhost:5173', 'https://a.example.com', 'http://localhost:8080', 'https://app.example.com']);
    for (const bad of ['*', 'https://a.example.com/app', 'a.example.com', 'ftp://a.example.com']) {
      expect(problemsOf({ DATA_DIR: dir, CORS_ORIGINS: `https://ok.example.com,${bad}` }).join('\n')).toContain(`CORS_ORIGINS "${bad}" is not an origin`);
    }
  });

  it('accepts a complete production environment and picks the driver from the URL', () => {
    const base = { ...PRODUCTION_ENV, CLOUDINARY_URL: 'cloudinary://123:abc@demo' };
    const neon = loadConfig({ ...base, DATABASE_URL: 'postgresql://u:p@ep-cool-1.eu-central-1.aws.neon.tech/db?sslmode=require' });
    expect(neon.database.driver).toBe('neon');
    expect(neon.embedded).toEqual([]);
    expect(neon.corsOrigins).toEqual(['https://app.example.com']);
    // The README names *.neon.build beside *.neon.tech.
    expect(loadConfig({ ...base, DATABASE_URL: 'postgresql://u:p@ep-cool-1.us-east-2.aws.neon.build/db' }).database.driver).toBe('neon');
    // Neon's own hosts only: a name that merely contains one is another server.
    expect(loadConfig({ ...base, DATABASE_URL: 'postgresql://u:p@ep-x.neon.tech.example.com/db' }).database.driver).toBe('pg');
    const plain = loadConfig({ ...base, SQLALCHEMY_DATABASE_URL: 'postgres://u@db.internal:5432/app' });
    expect(plain.database).toMatchObject({ driver: 'pg', url: 'postgres://u@db.internal:5432/app' });
    expect(() => loadConfig({ ...base, DATABASE_URL: 'postgres://x@h/db', DATABASE_DRIVER: 'pglite' })).toThrow(ConfigError);
  });

  it("gives every call that has no deadline of its own one that ends, by default, before vercel.json's maxDuration", () => {
    const { functions } = JSON.parse(readFileSync(new URL('../vercel.json', import.meta.url), 'utf8')) as { functions: Record<string, { maxDuration: number }> };
    const limitMs = Math.min(...Object.values(functions).map((f) => f.maxDuration)) * 1000;
    const config = loadConfig({ ...PRODUCTION_ENV, DATABASE_URL: 'postgres://u@db.internal:5432/app', CLOUDINARY_URL: 'cloudinary://123:abc@demo' });
    const deadlines = { GOOGLE_CALLBACK_DEADLINE_MS: config.google.callbackDeadlineMs, MAIL_TIMEOUT_MS: config.mail?.timeoutMs, CLOUDINARY_TIMEOUT_MS: config.avatars.cloudinary?.timeoutMs };
    // At least a second left to answer (a 502, a redirect with ?error=) and to log what failed.
    for (const [name, ms] of Object.entries(deadlines)) expect(ms, name).toBeLessThanOrEqual(limitMs - 1000);
  });

  it("takes SQLALCHEMY_DATABASE_URL only when DATABASE_URL is unset, in SQLAlchemy's postgresql+driver:// form too", () => {
    const base = { ...PRODUCTION_ENV, CLOUDINARY_URL: 'cloudinary://123:abc@demo' };
    // The seed's .env carried it as postgresql+psycopg2://; left beside DATABASE_URL it is not
    // used, so neither is it checked (it made every request answer 500).
    for (const leftover of ['postgresql+psycopg2://u:p@old.internal:5432/app', 'sqlite:///./app.db']) {
      const config = loadConfig({ ...base, DATABASE_URL: 'postgres://u@db.internal:5432/app', SQLALCHEMY_DATABASE_URL: leftover });
      expect(config.database).toMatchObject({ driver: 'pg', url: 'postgres://u@db.internal:5432/app' });
    }
    // Used, its driver suffix is dropped: node-postgres and Neon know only postgres(ql)://.
    const alias = loadConfig({ ...base, SQLALCHEMY_DATABASE_URL: 'postgresql+psycopg2://u:p@db.internal:5432/app' });
    expect(alias.database).toMatchObject({ driver: 'pg', url: 'postgresql://u:p@db.internal:5432/app' });
    const neon = loadConfig({ ...base, SQLALCHEMY_DATABASE_URL: 'postgresql+asyncpg://u:p@ep-cool-1.eu-central-1.aws.neon.tech/db' });
    expect(neon.database).toMatchObject({ driver: 'neon', url: 'postgresql://u:p@ep-cool-1.eu-central-1.aws.neon.tech/db' });
    // Used and malformed, it is named.
    expect(problemsOf({ ...base, SQLALCHEMY_DATABASE_URL: 'sqlite:///./app.db' }).join('\n')).toMatch(/^SQLALCHEMY_DATABASE_URL must be a postgres/m);
  });

  it('outside production generates the secrets once, keeps them private, and reuses them', () => {
    const dir = join(freshDir(), 'not', 'made', 'yet'); // as .data/ on a first `npm run dev`
    const first = loadConfig({ DATA_DIR: dir });
    const second = loadConfig({ DATA_DIR: dir });
    expect(first.secretKey).toHaveLength(43);
    expect(first.sessionSecretKey).toHaveLength(43);
    expect(second.secretKey).toBe(first.secretKey);
    expect(second.sessionSecretKey).toBe(first.sessionSecretKey);
    expect(first.secretKey).not.toBe(first.sessionSecretKey);
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(first.database.driver).toBe('pglite');
    expect(first.embedded.join(' ')).toMatch(/PGlite.*secrets/s);
  });

  it('takes an empty variable (KEY= left behind in a dashboard or .env) as unset', () => {
    const dir = freshDir();
    const config = loadConfig({ DATA_DIR: dir, SECRET_KEY: '', SESSION_SECRET_KEY: '', DATABASE_URL: '', MAIL_SERVER: '', CLOUDINARY_URL: '', CORS_ORIGINS: '', BCRYPT_COST: '' });
    expect(config.secretKey).toHaveLength(43); // generated, as when unset
    expect(config.database.driver).toBe('pglite');
    expect(config.mail).toBeUndefined();
    expect(config.avatars.cloudinary).toBeUndefined();
    expect(config.bcryptCost).toBe(12);
  });

  it('refuses each number out of its documented range, at both ends, and takes both bounds', () => {
    // name, lowest, highest (README, "Environment variables")
    const ranges: [string, number, number][] = [
      ['ACCESS_TOKEN_EXPIRE_MINUTES', 1, 1440],
      ['BCRYPT_COST', 4, 15],
      ['BODY_LIMIT_BYTES', 1024, 1024 * 1024],
      ['AVATAR_MAX_BYTES', 1024, 4 * 1024 * 1024],
      ['OTP_TTL_SECONDS', 1, 24 * 60 * 60],
      ['DB_QUERY_TIMEOUT_MS', 100, 60_000],
      ['REDIS_TIMEOUT_MS', 50, 10_000],
      ['MAIL_TIMEOUT_MS', 100, 60_000],
      ['CLOUDINARY_TIMEOUT_MS', 100, 60_000],
      ['GOOGLE_CALLBACK_DEADLINE_MS', 100, 60_000],
    ];
    for (const [name, lowest, highest] of ranges) {
      const with_ = (value: number) => problemsOf({ NODE_ENV: 'development', DATA_DIR: freshDir(), [name]: String(value) });
      for (const value of [lowest - 1, highest + 1]) expect(with_(value), `${name}=${value}`).toContainEqual(expect.stringMatching(new RegExp(`^${name}\\b`)));
      for (const value of [lowest, highest]) expect(with_(value), `${name}=${value}`).toEqual([]);
    }
    expect(loadConfig({ NODE_ENV: 'development', DATA_DIR: freshDir(), ACCESS_TOKEN_EXPIRE_MINUTES: '60' }).jwt.ttlSeconds).toBe(3600);
    // The avatars' folder becomes part of each public_id: a path of plain names only.
    const folder = (value: string) => problemsOf({ NODE_ENV: 'development', DATA_DIR: freshDir(), CLOUDINARY_FOLDER: value });
    for (const value of ['a/../b', 'avatars/', '/avatars', 'my avatars']) expect(folder(value), value).toContainEqual(expect.stringMatching(/^CLOUDINARY_FOLDER\b/));
    expect(folder('site-1/avatars_v2')).toEqual([]);
  });

  it("limits by default as the README's table says", () => {
    const table = readFileSync('README.md', 'utf8').match(/\| `(RATE_LIMIT_[A-Z_]+)` \| (\d+) per (\d+ )?(minute|hour|day)s?\b/gm) ?? [];
    const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
    const documented = Object.fromEntries(
      table.map((row) => {
        const [, name, count, times, unit] = row.match(/`(RATE_LIMIT_[A-Z_]+)` \| (\d+) per (\d+ )?(minute|hour|day)/)!;
        return [name, { limit: Number(count), windowMs: Number(times ?? 1) * UNIT_MS[unit as keyof typeof UNIT_MS] }];
      }),
    );
    const { rateLimits } = loadConfig({ NODE_ENV: 'development', DATA_DIR: freshDir() });
    const variable = (name: string) => `RATE_LIMIT_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
    expect(Object.fromEntries(Object.entries(rateLimits).map(([name, rule]) => [variable(name), rule]))).toEqual(documented);
  });

  it('refuses a rate limit that allows nothing or has no window', () => {
    const dir = freshDir();
    for (const rule of ['0/1h', '3/0s']) {
      expect(problemsOf({ DATA_DIR: dir, RATE_LIMIT_LOGIN_IP: rule }).join('\n'), rule).toMatch(/^RATE_LIMIT_LOGIN_IP needs a count of at least 1 and a window of at least 1s/m);
    }
  });

  it('names DATABASE_URL when it is not a URL (a # or / left unencoded in the password)', () => {
    expect(problemsOf({ ...PRODUCTION_ENV, DATABASE_URL: 'postgres://app:pa#ss@ep-x.neon.tech/db' }).join('\n')).toMatch(/^DATABASE_URL .*percent-encode/m);
    expect(problemsOf({ ...PRODUCTION_ENV, DATABASE_URL: 'postgres://app:pa%23ss@ep-x.neon.tech/db' }).filter((p) => p.startsWith('DATABASE_URL'))).toEqual([]);
  });

  it('two processes starting together on a fresh data folder agree on one set of secrets, and neither reads a half-written file', async () => {
    for (let trial = 0; trial < 5; trial++) {
      const dir = freshDir();
      // All start their work at one instant (a shared deadline, waited for busily), as processes
      // started together do: before, one read the file between the other's create and write.
      const at = Date.now() + 1_500;
      const script = `import { loadLocalSecrets } from ${JSON.stringify(new URL('../lib/local-secrets.ts', import.meta.url).pathname)}; while (Date.now() < ${at}); console.log(loadLocalSecrets(${JSON.stringify(dir)}).SECRET_KEY);`;
      const run = () => new Promise<string>((done, fail) => execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], (error, out, err) => (error ? fail(new Error(err)) : done(out.trim()))));
      const keys = await Promise.all(Array.from({ length: 4 }, run));
      expect(new Set(keys).size).toBe(1);
      expect(readdirSync(dir)).toEqual(['secrets.json']); // no temporary file left behind
    }
  }, 60_000);

  it('a secrets file that is not valid JSON is named in the error, with what to do', () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'secrets.json'), '');
    expect(() => loadConfig({ DATA_DIR: dir })).toThrow(/secrets\.json is not the JSON this service writes; delete it/);
  });

  it('a secrets file that is JSON but not both keys (edited, or another file) is named the same way, not used without keys', () => {
    const oneEmpty = ['{"SECRET_KEY":"a-real-looking-key","SESSION_SECRET_KEY":""}', '{"SECRET_KEY":"","SESSION_SECRET_KEY":"a-real-looking-key"}'];
    for (const text of ['{}', 'null', '{"SECRET_KEY":"abc"}', '{"SECRET_KEY":"","SESSION_SECRET_KEY":""}', ...oneEmpty]) {
      const dir = freshDir();
      writeFileSync(join(dir, 'secrets.json'), text);
      expect(() => loadConfig({ DATA_DIR: dir }), text).toThrow(/secrets\.json is not the JSON this service writes; delete it/);
    }
  });

  it('a secrets file that cannot be read (here a folder of that name) is an error, never a configuration without keys', () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'secrets.json'));
    expect(() => loadConfig({ DATA_DIR: dir })).toThrow(/EISDIR/);
  });

  it('a request in a misconfigured production answers 500 problem+json and logs the variable names', async () => {
    const saved = { ...process.env };
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      process.env.VERCEL_ENV = 'production';
      delete process.env.SECRET_KEY;
      resetConfig();
      // From the frontend's page, as every browser call is: CORS reads the configuration too.
      const response = await me(new Request('http://localhost/api/me', { headers: { origin: 'http://localhost:5173' } }));
      expect(response.status).toBe(500);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const text = await response.text();
      expect(text).not.toContain('SECRET_KEY'); // the names go to the log, not to the client
      // The documented misconfigured problem, not the generic internal_error, under the id the log line has.
      const body = JSON.parse(text);
      expect(body).toMatchObject({ type: 'urn:problem:misconfigured', status: 500 });
      const id = /error id ([0-9a-f-]{36})/.exec(body.detail)?.[1];
      const line = log.mock.calls.map((c) => c.join(' ')).join('\n');
      expect(line).toContain(`[${id}] configuration error`);
      expect(line).toContain('SECRET_KEY');
      expect(line).toContain('DATABASE_URL');
    } finally {
      process.env = saved;
      resetConfig();
    }
  });
});

describe('CORS and standard headers', () => {
  it('allows the frontend origin, ignores a foreign one, and answers preflights', async () => {
    const allowed = await me(new Request('http://localhost/api/me', { headers: { origin: 'http://localhost:5173' } }));
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(allowed.headers.get('x-content-type-options')).toBe('nosniff');
    expect(allowed.headers.get('cache-control')).toBe('no-store');
    const foreign = await me(new Request('http://localhost/api/me', { headers: { origin: 'https://evil.example' } }));
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await mePreflight(
      new Request('http://localhost/api/me', { method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' } }),
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, PATCH, OPTIONS');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');
    expect(preflight.headers.get('access-control-max-age')).toBe('600'); // one preflight per 10 minutes, not per request
    const foreignPreflight = await mePreflight(new Request('http://localhost/api/me', { method: 'OPTIONS', headers: { origin: 'https://evil.example' } }));
    expect(foreignPreflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});
