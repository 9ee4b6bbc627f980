import { resolve } from 'node:path';
import { z } from 'zod';
import { loadLocalSecrets } from './local-secrets.js';

/**
 * Every environment variable the service reads, validated in this one module.
 *
 * Production (`NODE_ENV=production` or `VERCEL_ENV` set) has no fallbacks: a missing or malformed
 * variable makes `getConfig()` throw a `ConfigError` naming all of them, which the endpoint wrapper
 * turns into a 500 and one log line. Elsewhere each missing service gets its embedded default
 * (PGlite in `.data/`, secrets generated once into `.data/secrets.json`).
 */

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\/[^\s]+$/, 'must be a postgres:// or postgresql:// URL');
const httpUrl = z.url({ protocol: /^https?$/ });
const intFrom = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const secret = z.string().min(32, 'must be at least 32 characters');

const EnvSchema = z.object({
  DATABASE_URL: postgresUrl.optional(),
  SQLALCHEMY_DATABASE_URL: postgresUrl.optional(),
  DATABASE_DRIVER: z.enum(['auto', 'pglite', 'pg', 'neon']).default('auto'),
  NEON_WS_PROXY: z.string().optional(),
  PGLITE_DATA_DIR: z.string().optional(),
  DATA_DIR: z.string().default('.data'),
  SECRET_KEY: secret.optional(),
  SESSION_SECRET_KEY: secret.optional(),
  JWT_ISSUER: z.string().min(1).default('auth-service'),
  JWT_AUDIENCE: z.string().min(1).default('auth-service-clients'),
  ACCESS_TOKEN_EXPIRE_MINUTES: intFrom(1, 24 * 60).default(30),
  BCRYPT_COST: intFrom(4, 15).default(12),
  FRONTEND_CALLBACK_URL: httpUrl.optional(),
  CORS_ORIGINS: z.string().default(''),
  BODY_LIMIT_BYTES: intFrom(1024, 1024 * 1024).default(16 * 1024),
  DB_CONNECT_TIMEOUT_MS: intFrom(100, 30_000).default(2_000),

  // --- Avatars (issue #6) ---
  CLOUDINARY_URL: z
    .string()
    .regex(/^cloudinary:\/\/[^:@/\s]+:[^@/\s]+@[^/?\s]+(\?\S*)?$/, 'must be cloudinary://<api_key>:<api_secret>@<cloud_name>')
    .optional(),
  CLOUDINARY_CLOUD_NAME: z.string().min(1).optional(),
  CLOUDINARY_API_KEY: z.string().min(1).optional(),
  CLOUDINARY_API_SECRET: z.string().min(1).optional(),
  CLOUDINARY_FOLDER: z.string().regex(/^[\w-]+(\/[\w-]+)*$/, 'must be a folder path such as avatars').default('avatars'),
  AVATAR_MAX_BYTES: intFrom(1024, 20 * 1024 * 1024).default(2 * 1024 * 1024),
});

/** Variables production cannot do without. */
const REQUIRED_IN_PRODUCTION = [
  'DATABASE_URL',
  'SECRET_KEY',
  'SESSION_SECRET_KEY',
  'FRONTEND_CALLBACK_URL',
] as const;

/** Avatars need Cloudinary in production: either the URL or all three separate variables. */
const CLOUDINARY_PARTS = ['CLOUDINARY_CLOUD_NAME', 'CLOUDINARY_API_KEY', 'CLOUDINARY_API_SECRET'] as const;

export interface CloudinaryConfig {
  cloudName: string;
  apiKey: string;
  apiSecret: string;
  /** Base URL of the upload API; only set (through CLOUDINARY_URL's `?upload_prefix=`) for tests. */
  uploadPrefix: string | undefined;
  folder: string;
}

export type DatabaseDriver = 'pglite' | 'pg' | 'neon';

export interface Config {
  production: boolean;
  dataDir: string;
  database: {
    driver: DatabaseDriver;
    url: string | undefined;
    pgliteDir: string;
    neonWsProxy: string | undefined;
    connectTimeoutMs: number;
  };
  secretKey: string;
  sessionSecretKey: string;
  jwt: { issuer: string; audience: string; ttlSeconds: number };
  bcryptCost: number;
  frontendCallbackUrl: string;
  corsOrigins: string[];
  bodyLimitBytes: number;
  avatars: {
    maxBytes: number;
    /** Undefined outside production without Cloudinary: avatars are then files in `DATA_DIR/avatars`. */
    cloudinary: CloudinaryConfig | undefined;
    localDir: string;
  };
  /** Names of the embedded defaults standing in for missing services (empty in production). */
  embedded: string[];
}

/** Thrown when the environment cannot make a valid configuration; `problems` names each variable. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export function isProduction(env: NodeJS.ProcessEnv): boolean {
  return env.NODE_ENV === 'production' || Boolean(env.VERCEL_ENV);
}

function withAliases(env: Record<string, string | undefined>): Record<string, string | undefined> {
  // An empty variable counts as unset: dashboards often leave `KEY=` behind.
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  clean.DATABASE_URL ??= clean.SQLALCHEMY_DATABASE_URL;
  return clean;
}

function chooseDriver(requested: string, url: string | undefined): DatabaseDriver {
  if (requested !== 'auto') return requested as DatabaseDriver;
  if (!url) return 'pglite';
  return /\.neon\.(tech|build)$/i.test(new URL(url).hostname) ? 'neon' : 'pg';
}

/**
 * Builds the configuration from an environment, without caching.
 *
 * @example const config = loadConfig({ ...process.env, BCRYPT_COST: '4' });
 */
export function loadConfig(rawEnv: NodeJS.ProcessEnv = process.env): Config {
  const production = isProduction(rawEnv);
  const env = withAliases(rawEnv);
  const parsed = EnvSchema.safeParse(env);
  const problems: string[] = parsed.success
    ? []
    : parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`);
  if (production) {
    for (const name of REQUIRED_IN_PRODUCTION) if (!env[name]) problems.push(`${name} is missing`);
    if (!env.CLOUDINARY_URL && CLOUDINARY_PARTS.some((name) => !env[name])) {
      problems.push(`CLOUDINARY_URL (or ${CLOUDINARY_PARTS.join(', ')}) is missing`);
    }
  }
  const partial = CLOUDINARY_PARTS.filter((name) => env[name]);
  if (partial.length > 0 && partial.length < CLOUDINARY_PARTS.length) {
    problems.push(`${CLOUDINARY_PARTS.filter((name) => !env[name]).join(', ')} missing beside ${partial.join(', ')}`);
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const e = parsed.data;

  const dataDir = resolve(e.DATA_DIR);
  const embedded: string[] = [];
  const driver = chooseDriver(e.DATABASE_DRIVER, e.DATABASE_URL);
  if (driver === 'pglite') {
    if (production) throw new ConfigError(['DATABASE_DRIVER pglite is not allowed in production']);
    embedded.push('database: PGlite');
  }
  if (driver !== 'pglite' && !e.DATABASE_URL) throw new ConfigError([`DATABASE_URL is missing for driver ${driver}`]);

  let secretKey = e.SECRET_KEY;
  let sessionSecretKey = e.SESSION_SECRET_KEY;
  if (!secretKey || !sessionSecretKey) {
    const local = loadLocalSecrets(dataDir);
    secretKey ??= local.SECRET_KEY;
    sessionSecretKey ??= local.SESSION_SECRET_KEY;
    embedded.push(`secrets: ${dataDir}/secrets.json`);
  }
  const frontendCallbackUrl = e.FRONTEND_CALLBACK_URL ?? 'http://localhost:5173/auth/callback';
  const corsOrigins = [
    new URL(frontendCallbackUrl).origin,
    ...e.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean),
  ];

  const cloudinary = cloudinaryConfig(e);
  if (!cloudinary) embedded.push(`avatars: files in ${dataDir}/avatars`);

  return {
    production,
    dataDir,
    database: {
      driver,
      url: e.DATABASE_URL,
      pgliteDir: e.PGLITE_DATA_DIR ?? resolve(dataDir, 'pglite'),
      neonWsProxy: e.NEON_WS_PROXY,
      connectTimeoutMs: e.DB_CONNECT_TIMEOUT_MS,
    },
    secretKey,
    sessionSecretKey,
    jwt: { issuer: e.JWT_ISSUER, audience: e.JWT_AUDIENCE, ttlSeconds: e.ACCESS_TOKEN_EXPIRE_MINUTES * 60 },
    bcryptCost: e.BCRYPT_COST,
    frontendCallbackUrl,
    corsOrigins: [...new Set(corsOrigins)],
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    avatars: { maxBytes: e.AVATAR_MAX_BYTES, cloudinary, localDir: resolve(dataDir, 'avatars') },
    embedded,
  };
}

/** Cloudinary from CLOUDINARY_URL (which wins) or the three separate variables, else undefined. */
function cloudinaryConfig(e: z.output<typeof EnvSchema>): CloudinaryConfig | undefined {
  const folder = e.CLOUDINARY_FOLDER;
  if (e.CLOUDINARY_URL) {
    const url = new URL(e.CLOUDINARY_URL);
    return {
      cloudName: url.hostname,
      apiKey: decodeURIComponent(url.username),
      apiSecret: decodeURIComponent(url.password),
      uploadPrefix: url.searchParams.get('upload_prefix') ?? undefined,
      folder,
    };
  }
  if (e.CLOUDINARY_CLOUD_NAME && e.CLOUDINARY_API_KEY && e.CLOUDINARY_API_SECRET) {
    return { cloudName: e.CLOUDINARY_CLOUD_NAME, apiKey: e.CLOUDINARY_API_KEY, apiSecret: e.CLOUDINARY_API_SECRET, uploadPrefix: undefined, folder };
  }
  return undefined;
}

let cached: Config | undefined;

/** The process-wide configuration, read from `process.env` on first use. */
export function getConfig(): Config {
  cached ??= loadConfig(process.env);
  return cached;
}

/** Forgets the cached configuration so the next `getConfig()` reads `process.env` again (tests). */
export function resetConfig(): void {
  cached = undefined;
}
