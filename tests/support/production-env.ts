import { ConfigError, loadConfig } from '../../lib/config.js';

/** A complete production environment but for the database, for configuration tests to vary. */
export const PRODUCTION_ENV = {
  NODE_ENV: 'production',
  SECRET_KEY: 'prod-like-secret-key-0123456789-abcdefghij',
  SESSION_SECRET_KEY: 'prod-like-session-key-0123456789-abcdefghij',
  FRONTEND_CALLBACK_URL: 'https://app.example.com/auth/callback',
  GOOGLE_CLIENT_ID: 'client.apps.googleusercontent.com',
  GOOGLE_CLIENT_SECRET: 'google-client-secret',
  UPSTASH_REDIS_REST_URL: 'https://eu1-example.upstash.io',
  UPSTASH_REDIS_REST_TOKEN: 'upstash-token',
  MAIL_SERVER: 'smtp.example.com',
  MAIL_FROM: 'Example <no-reply@example.com>',
} as const;

/** What loadConfig refuses in `env`, each problem as it is reported; [] when it is accepted. */
export function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}
