import { createTestDatabase } from '../../tests/support/postgres.js';
import { startUpstashRest } from '../../tests/support/upstash-rest.js';
import { startNeonStandIns } from '../../tests/support/neon-http.js';
import { startOidcProvider } from '../../tests/support/oidc-provider.js';
import { startSmtpServer } from '../../tests/support/smtp.js';

/** Where the bench's requests are addressed (functions are called directly, never over the network). */
export const BENCH_ORIGIN = 'https://auth.example.com';
export const GOOGLE_CLIENT = { clientId: 'bench-client', clientSecret: 'bench-client-secret-0123456789' };

/**
 * A production-mode environment on this machine: the Neon driver over HTTP through a loopback
 * stand-in for Neon's SQL endpoint (migrations through a WebSocket proxy) to a fresh database on
 * the local PostgreSQL, @upstash/redis through the Upstash REST
 * stand-in over the local Redis, a real OpenID provider (oidc-provider) standing in for Google, a
 * real SMTP server for the mail sent after a response, and every other required variable set
 * (Cloudinary points at a closed loopback port: no benchmarked request carries a file), so the
 * functions load exactly what they would load on Vercel. `provider` registers the Google
 * accounts; `close()` removes it all.
 */
export async function productionEnvironment() {
  const database = await createTestDatabase();
  const neon = await startNeonStandIns();
  const redis = await startUpstashRest();
  const callback = `${BENCH_ORIGIN}/api/google/callback`;
  const provider = await startOidcProvider({ ...GOOGLE_CLIENT, redirectUris: [callback] });
  const smtp = await startSmtpServer();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    DATABASE_URL: database.url,
    DATABASE_DRIVER: 'neon',
    ...neon.env,
    SECRET_KEY: 'bench-secret-key-that-is-long-enough-0123456789',
    SESSION_SECRET_KEY: 'bench-session-key-that-is-long-enough-0123456789',
    FRONTEND_CALLBACK_URL: 'http://localhost:5173/auth/callback',
    UPSTASH_REDIS_REST_URL: redis.url,
    UPSTASH_REDIS_REST_TOKEN: redis.token,
    REDIS_KEY_PREFIX: `bench-${process.pid}-${Date.now()}:`,
    ...smtp.env,
    GOOGLE_CLIENT_ID: GOOGLE_CLIENT.clientId,
    GOOGLE_CLIENT_SECRET: GOOGLE_CLIENT.clientSecret,
    GOOGLE_REDIRECT_URI: callback,
    GOOGLE_AUTH_URL: provider.authorizationUrl,
    GOOGLE_TOKEN_URL: provider.tokenUrl,
    GOOGLE_JWKS_URL: provider.jwksUrl,
    GOOGLE_ISSUER: provider.issuer,
    CLOUDINARY_URL: 'cloudinary://123:secret@bench?upload_prefix=http://127.0.0.1:9',
    ...GENEROUS_LIMITS,
    // bcrypt's work is measured on its own (overhead figures); cold starts measure everything else.
    BCRYPT_COST: '4',
  };
  return {
    env,
    provider,
    close: async () => {
      await smtp.close();
      await provider.close();
      await neon.close();
      await redis.close();
      await database.drop();
    },
  };
}

/** Every bench request comes from one address; the limits are not what is measured. */
export const GENEROUS_LIMITS: Record<string, string> = Object.fromEntries(
  ['LOGIN_IP', 'LOGIN_ACCOUNT', 'REGISTER_IP', 'FORGOT_IP', 'FORGOT_EMAIL', 'RESET_IP', 'RESET_EMAIL', 'RESET_FAILURES', 'EXCHANGE_IP', 'PROFILE_USER', 'PROFILE_IP'].map((name) => [`RATE_LIMIT_${name}`, '100000/1m']),
);

/** Runs `fn` with `process.env` extended by `env`, restoring it afterwards. */
export async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    process.env = saved;
  }
}
