// Runs before every test file: cheap bcrypt, fixed keys, an in-memory PGlite and a private data
// folder, so no test touches the developer's .data/. Files that use a server override these.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

delete process.env.VERCEL_ENV;
process.env.NODE_ENV = 'test';
process.env.BCRYPT_COST ??= '4';
process.env.SECRET_KEY ??= 'test-secret-key-that-is-long-enough-0123456789';
process.env.SESSION_SECRET_KEY ??= 'test-session-key-that-is-long-enough-0123456789';
process.env.DATA_DIR = mkdtempSync(join(tmpdir(), 'auth-test-'));
process.env.PGLITE_DATA_DIR = 'memory://';
process.env.FRONTEND_CALLBACK_URL ??= 'http://localhost:5173/auth/callback';
delete process.env.DATABASE_URL;
delete process.env.SQLALCHEMY_DATABASE_URL;
// Tests call handlers many times from one "unknown" address: generous limits, unless a file sets
// its own. The in-process store unless a file points at Redis.
for (const name of ['LOGIN_IP', 'LOGIN_ACCOUNT', 'REGISTER_IP', 'FORGOT_IP', 'FORGOT_EMAIL', 'RESET_IP', 'RESET_EMAIL', 'RESET_FAILURES', 'EXCHANGE_IP', 'PROFILE_USER', 'PROFILE_IP']) {
  process.env[`RATE_LIMIT_${name}`] ??= '10000/1m';
}
for (const name of ['UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN', 'KV_REST_API_URL', 'KV_REST_API_TOKEN', 'UPSTASH_REDIS_URL', 'UPSTASH_REDIS_TOKEN']) {
  delete process.env[name];
}
for (const name of ['MAIL_SERVER', 'MAIL_USERNAME', 'MAIL_PASSWORD']) delete process.env[name];
