import { createTestDatabase } from '../../tests/support/postgres.js';
import { startWsProxy } from '../../tests/support/ws-proxy.js';

/**
 * A production-mode environment on this machine: the Neon driver through a loopback WebSocket
 * proxy to a fresh database on the local PostgreSQL, and every required variable set, so the
 * functions load exactly what they would load on Vercel. `close()` removes it all.
 */
export async function productionEnvironment(): Promise<{ env: Record<string, string>; close: () => Promise<void> }> {
  const database = await createTestDatabase();
  const proxy = await startWsProxy();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    DATABASE_URL: database.url,
    DATABASE_DRIVER: 'neon',
    NEON_WS_PROXY: proxy.url,
    SECRET_KEY: 'bench-secret-key-that-is-long-enough-0123456789',
    SESSION_SECRET_KEY: 'bench-session-key-that-is-long-enough-0123456789',
    FRONTEND_CALLBACK_URL: 'http://localhost:5173/auth/callback',
    // bcrypt's work is measured on its own (overhead figures); cold starts measure everything else.
    BCRYPT_COST: '4',
  };
  return {
    env,
    close: async () => {
      await proxy.close();
      await database.drop();
    },
  };
}

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
