import { resolve } from 'node:path';
import * as z from '../vendor/zod/index.mjs';
import { loadLocalSecrets } from './local-secrets.js';

// Decision: zod's JIT (new Function per object schema, compiled on first parse) costs a cold
// function several milliseconds for requests it parses once; the interpreted path is used instead.
z.config({ jitless: true });

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
  .regex(/^postgres(ql)?:\/\/[^\s]+$/, 'must be a postgres:// or postgresql:// URL')
  .refine((url) => URL.canParse(url), 'is not a valid URL: percent-encode characters such as # / ? @ in the user name or password');
const httpUrl = z.url({ protocol: /^https?$/ });
const intFrom = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const secret = z.string().min(32, 'must be at least 32 characters');
/** true/false, 1/0, yes/no, on/off in any letter case: the seed's `.env` writes `True` and `False`. */
const boolean = z.stringbool();
/**
 * Comma-separated origins (`https://app.example.com`); a trailing slash and capitals are forgiven
 * (browsers send the host in lower case), a path or a wildcard is not: `*` would let any site read
 * answers to its users' requests.
 */
const originList = z.string().transform((value, ctx): string[] => {
  const origins: string[] = [];
  for (const entry of value.split(',').map((o) => o.trim()).filter(Boolean)) {
    const url = URL.canParse(entry) ? new URL(entry) : undefined;
    if (url && /^https?:$/.test(url.protocol) && url.origin === entry.replace(/\/$/, '').toLowerCase()) origins.push(url.origin);
    else ctx.addIssue({ code: 'custom', message: `"${entry}" is not an origin such as https://app.example.com (no path, no *)` });
  }
  return origins;
});
/**
 * The sender: one address, bare or after a display name (`no-reply@example.com`,
 * `Example <no-reply@example.com>`). Nodemailer sends a value holding no address with no From
 * header at all and a null envelope sender, which receiving servers refuse or file as spam, and a
 * list of senders would need a Sender header: so both are refused here, not found out per mail.
 */
const mailFrom = z
  .string()
  .regex(
    // The lookahead: an address before a comma (`a@example.com, Name <b@example.com>`) starts a list.
    // A display name is quoted whole, or holds none of `":;()`: nodemailer reads `Acme: Accounts <…>`
    // as a group (no sender at all), an unbalanced quote as another address, a `;` as a comma and
    // drops a (comment).
    /^(?![^"<]*@[^"<]*,)(?:(?:"[^"\\\r\n]*"|[^"():;<>\r\n]*)\s*<[^\s<>@,"]+@[^\s<>@,"]+>|[^\s<>@,"]+@[^\s<>@,"]+)$/,
    'must be one address, such as no-reply@example.com or Example <no-reply@example.com> (a name holding any of ":;() in double quotes)',
  );
const DURATION_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** `<count>/<duration>`, e.g. `3/1h`, `20/15m`, `100/30s`: at most count requests per sliding window. */
const rateLimit = z
  .string()
  .regex(/^\d+\/\d+[smhd]$/, 'must look like 3/1h (count/duration in s, m, h or d)')
  .transform((v): RateLimitRule => {
    const [count, window] = v.split('/') as [string, string];
    const unit = window.slice(-1) as keyof typeof DURATION_MS;
    return { limit: Number(count), windowMs: Number(window.slice(0, -1)) * DURATION_MS[unit] };
  })
  .refine((r) => r.limit >= 1 && r.windowMs >= 1_000, 'needs a count of at least 1 and a window of at least 1s');

const EnvSchema = z.object({
  DATABASE_URL: postgresUrl.optional(),
  SQLALCHEMY_DATABASE_URL: postgresUrl.optional(),
  DATABASE_DRIVER: z.enum(['auto', 'pglite', 'pg', 'neon']).default('auto'),
  NEON_WS_PROXY: z.string().optional(),
  NEON_HTTP_ENDPOINT: httpUrl.optional(),
  PGLITE_DATA_DIR: z.string().optional(),
  DATA_DIR: z.string().default('.data'),
  SECRET_KEY: secret.optional(),
  SESSION_SECRET_KEY: secret.optional(),
  JWT_ISSUER: z.string().min(1).default('auth-service'),
  JWT_AUDIENCE: z.string().min(1).default('auth-service-clients'),
  ACCESS_TOKEN_EXPIRE_MINUTES: intFrom(1, 24 * 60).default(30),
  BCRYPT_COST: intFrom(4, 15).default(12),
  FRONTEND_CALLBACK_URL: httpUrl.optional(),
  CORS_ORIGINS: originList.default([]),
  BODY_LIMIT_BYTES: intFrom(1024, 1024 * 1024).default(16 * 1024),
  DB_CONNECT_TIMEOUT_MS: intFrom(100, 30_000).default(2_000),
  DB_QUERY_TIMEOUT_MS: intFrom(100, 60_000).default(5_000),
  // --- Google sign-in ---
  GOOGLE_CLIENT_ID: z.string().min(1).optional(),
  GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
  GOOGLE_REDIRECT_URI: httpUrl.optional(),
  // Overrides of Google's endpoints, for tests against a local OpenID provider only.
  GOOGLE_AUTH_URL: httpUrl.optional(),
  GOOGLE_TOKEN_URL: httpUrl.optional(),
  GOOGLE_JWKS_URL: httpUrl.optional(),
  GOOGLE_ISSUER: httpUrl.optional(),
  GOOGLE_TIMEOUT_MS: intFrom(100, 10_000).default(3_000),
  // The callback as a whole, under vercel.json's maxDuration (10 s): see api/google/callback.ts.
  GOOGLE_CALLBACK_DEADLINE_MS: intFrom(100, 60_000).default(8_000),

  // --- Redis, rate limits, password reset, mail (issue 4) ---
  UPSTASH_REDIS_REST_URL: z.string().optional(),
  UPSTASH_REDIS_REST_TOKEN: z.string().optional(),
  REDIS_KEY_PREFIX: z.string().default('auth:'),
  REDIS_TIMEOUT_MS: intFrom(50, 10_000).default(800),
  RATE_LIMIT_FAIL_OPEN: boolean.default(false),
  RATE_LIMIT_LOGIN_IP: rateLimit.prefault('20/1m'),
  RATE_LIMIT_LOGIN_ACCOUNT: rateLimit.prefault('5/15m'),
  RATE_LIMIT_REGISTER_IP: rateLimit.prefault('10/1h'),
  RATE_LIMIT_FORGOT_IP: rateLimit.prefault('10/1h'),
  RATE_LIMIT_FORGOT_EMAIL: rateLimit.prefault('3/1h'),
  RATE_LIMIT_RESET_IP: rateLimit.prefault('20/1h'),
  RATE_LIMIT_RESET_EMAIL: rateLimit.prefault('10/15m'),
  RATE_LIMIT_RESET_FAILURES: rateLimit.prefault('10/1d'),
  RATE_LIMIT_EXCHANGE_IP: rateLimit.prefault('30/1m'),
  RATE_LIMIT_EMAIL_NOTICE: rateLimit.prefault('3/1h'),
  RATE_LIMIT_AVATAR_USER: rateLimit.prefault('10/1h'),
  RATE_LIMIT_PROFILE_USER: rateLimit.prefault('10/1h'),
  RATE_LIMIT_PROFILE_IP: rateLimit.prefault('20/1h'),
  OTP_TTL_SECONDS: intFrom(1, 24 * 60 * 60).default(600),
  MAIL_SERVER: z.string().optional(),
  MAIL_PORT: intFrom(1, 65_535).default(587),
  MAIL_USERNAME: z.string().optional(),
  MAIL_PASSWORD: z.string().optional(),
  MAIL_FROM: mailFrom.optional(),
  MAIL_STARTTLS: boolean.default(true),
  MAIL_SSL_TLS: boolean.default(false),
  // The whole send, under vercel.json's maxDuration (10 s): a failure is logged before the cut-off.
  MAIL_TIMEOUT_MS: intFrom(100, 60_000).default(8_000),

  // --- Avatars (issue #6) ---
  CLOUDINARY_URL: z
    .string()
    .regex(/^cloudinary:\/\/[^:@/\s]+:[^@/\s]+@[^/?\s]+(\?\S*)?$/, 'must be cloudinary://<api_key>:<api_secret>@<cloud_name>')
    // What cloudinaryConfig reads from it must read: a stray % in the secret, a host no URL can have.
    .refine(readableCloudinaryUrl, 'must be cloudinary://<api_key>:<api_secret>@<cloud_name>, with any % in the key or secret written as %25')
    .optional(),
  CLOUDINARY_CLOUD_NAME: z.string().min(1).optional(),
  CLOUDINARY_API_KEY: z.string().min(1).optional(),
  CLOUDINARY_API_SECRET: z.string().min(1).optional(),
  CLOUDINARY_FOLDER: z.string().regex(/^[\w-]+(\/[\w-]+)*$/, 'must be a folder path such as avatars').default('avatars'),
  // Each upload or delete, connecting included, under vercel.json's maxDuration (10 s): see lib/avatars/cloudinary.ts.
  CLOUDINARY_TIMEOUT_MS: intFrom(100, 60_000).default(8_000),
  // At most 4 MiB: Vercel refuses a function request body over 4.5 MB with its own plain 413
  // before the function runs, and the multipart form around the file needs some room too.
  AVATAR_MAX_BYTES: intFrom(1024, 4 * 1024 * 1024).default(2 * 1024 * 1024),
});

/** Every variable the schema reads (aliases are read in its stead: see withAliases). For the docs' test, not at import. */
export function configVariables(): string[] {
  return Object.keys(EnvSchema.shape);
}

/** Variables production cannot do without. */
const REQUIRED_IN_PRODUCTION = [
  'DATABASE_URL',
  'SECRET_KEY',
  'SESSION_SECRET_KEY',
  'FRONTEND_CALLBACK_URL',
  // --- Google sign-in ---
  'GOOGLE_CLIENT_ID',
  'GOOGLE_CLIENT_SECRET',
  // --- Redis (or its aliases KV_REST_API_*, UPSTASH_REDIS_*) and mail ---
  'UPSTASH_REDIS_REST_URL',
  'UPSTASH_REDIS_REST_TOKEN',
  'MAIL_SERVER',
  'MAIL_FROM',
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
  /** The deadline of each upload or delete, connecting included (CLOUDINARY_TIMEOUT_MS). */
  timeoutMs: number;
}

export type DatabaseDriver = 'pglite' | 'pg' | 'neon';

/** At most `limit` requests per sliding window of `windowMs`. */
export interface RateLimitRule {
  limit: number;
  windowMs: number;
}
export type RateLimitName = 'loginIp' | 'loginAccount' | 'registerIp' | 'forgotIp' | 'forgotEmail' | 'resetIp' | 'resetEmail' | 'resetFailures' | 'exchangeIp' | 'emailNotice' | 'avatarUser' | 'profileUser' | 'profileIp';

export interface Config {
  production: boolean;
  dataDir: string;
  database: {
    driver: DatabaseDriver;
    url: string | undefined;
    pgliteDir: string;
    /** Migrations only: the Neon driver's WebSocket pool goes through this proxy (local PostgreSQL). */
    neonWsProxy: string | undefined;
    /** Queries: where the Neon driver posts SQL over HTTP, instead of Neon's own endpoint for the host. */
    neonHttpEndpoint: string | undefined;
    connectTimeoutMs: number;
    /** The deadline of one query over Neon's HTTP endpoint, where connecting and querying are one request. */
    queryTimeoutMs: number;
  };
  secretKey: string;
  sessionSecretKey: string;
  jwt: { issuer: string; audience: string; ttlSeconds: number };
  bcryptCost: number;
  frontendCallbackUrl: string;
  corsOrigins: string[];
  bodyLimitBytes: number;
  google: GoogleConfig;
  avatars: {
    maxBytes: number;
    /** Undefined outside production without Cloudinary: avatars are then files in `DATA_DIR/avatars`. */
    cloudinary: CloudinaryConfig | undefined;
    localDir: string;
  };
  /** Names of the embedded defaults standing in for missing services (empty in production). */
  embedded: string[];
  // --- Redis, rate limits, password reset, mail (issue 4) ---
  /** Upstash REST endpoint; undefined means the in-process store (refused in production by getStore). */
  redis: { url: string; token: string } | undefined;
  redisKeyPrefix: string;
  redisTimeoutMs: number;
  rateLimits: Record<RateLimitName, RateLimitRule>;
  rateLimitFailOpen: boolean;
  otpTtlSeconds: number;
  /** SMTP settings; undefined means the `.eml` outbox in DATA_DIR/outbox (refused in production by the mailer). */
  mail: MailConfig | undefined;
  mailFrom: string;
  outboxDir: string;
}

export interface MailConfig {
  host: string;
  port: number;
  username: string | undefined;
  password: string | undefined;
  startTls: boolean;
  sslTls: boolean;
  timeoutMs: number;
}

/** Google sign-in. `clientId`/`clientSecret` unset (outside production) means "not configured": 503. */
export interface GoogleConfig {
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** Unset: the request's origin + `/api/google/callback`. */
  redirectUri: string | undefined;
  authorizationUrl: string;
  tokenUrl: string;
  jwksUrl: string;
  /** Accepted `iss` values of ID tokens. */
  issuers: string[];
  /** The deadline of each request to Google (token endpoint, keys), well inside the function's maxDuration. */
  timeoutMs: number;
  /** The deadline of the whole callback (Google, the database, Redis), inside the function's maxDuration. */
  callbackDeadlineMs: number;
}

/** Google's published endpoints (https://accounts.google.com/.well-known/openid-configuration). */
const GOOGLE = {
  authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  tokenUrl: 'https://oauth2.googleapis.com/token',
  jwksUrl: 'https://www.googleapis.com/oauth2/v3/certs',
  // Google documents both spellings of its issuer.
  issuers: ['https://accounts.google.com', 'accounts.google.com'],
};

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
  // The FastAPI original's name, in SQLAlchemy's form (postgresql+psycopg2://), stands in only when
  // DATABASE_URL is unset: a leftover beside it is not used, so it is not checked either.
  if (clean.DATABASE_URL) delete clean.SQLALCHEMY_DATABASE_URL;
  else if (clean.SQLALCHEMY_DATABASE_URL) {
    clean.SQLALCHEMY_DATABASE_URL = clean.SQLALCHEMY_DATABASE_URL.replace(/^(postgres(?:ql)?)\+[\w-]+:\/\//, '$1://');
    clean.DATABASE_URL = clean.SQLALCHEMY_DATABASE_URL;
  }
  // Vercel's KV integration and the FastAPI original name the Upstash REST credentials differently.
  // A URL and its token are taken from the same pair, never one from each: a token sent to
  // another database's URL would fail, or worse.
  if (!clean.UPSTASH_REDIS_REST_URL && !clean.UPSTASH_REDIS_REST_TOKEN) {
    const [url, token] = (
      [
        ['KV_REST_API_URL', 'KV_REST_API_TOKEN'],
        ['UPSTASH_REDIS_URL', 'UPSTASH_REDIS_TOKEN'],
      ] as const
    ).find(([u, t]) => clean[u] || clean[t]) ?? [];
    if (url && token) Object.assign(clean, { UPSTASH_REDIS_REST_URL: clean[url], UPSTASH_REDIS_REST_TOKEN: clean[token] });
  }
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
  problems.push(...crossChecks(env, production));
  // Port 465 speaks TLS from the first byte (RFC 8314): with STARTTLS expected instead, every mail
  // would wait out the greeting timeout and fail, found out only per mail after the response.
  if (parsed.success && parsed.data.MAIL_SERVER && parsed.data.MAIL_PORT === 465 && !parsed.data.MAIL_SSL_TLS) {
    problems.push('MAIL_PORT 465 takes TLS from the first byte: set MAIL_SSL_TLS=true (or use port 587 with STARTTLS)');
  }
  // Decision: in production no TLS at all only to a server on this machine (a relay beside it, a
  // stand-in), as plain http is: elsewhere MAIL_PASSWORD and every reset code would cross the
  // network readable (nodemailer is then told to ignore a STARTTLS the server offers, too).
  const smtp = parsed.success ? parsed.data : undefined;
  if (production && smtp?.MAIL_SERVER && !smtp.MAIL_STARTTLS && !smtp.MAIL_SSL_TLS && !isLoopbackHost(smtp.MAIL_SERVER)) {
    problems.push('MAIL_STARTTLS=false with MAIL_SSL_TLS=false sends the password and every code in clear: in production only to a server on this machine');
  }
  // Every problem in one error (one log line), not the first one found.
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const e = parsed.data;

  const dataDir = resolve(e.DATA_DIR);
  const embedded: string[] = [];
  const driver = chooseDriver(e.DATABASE_DRIVER, e.DATABASE_URL);
  if (driver === 'pglite') embedded.push('database: PGlite');

  let secretKey = e.SECRET_KEY;
  let sessionSecretKey = e.SESSION_SECRET_KEY;
  if (!secretKey || !sessionSecretKey) {
    const local = loadLocalSecrets(dataDir);
    secretKey ??= local.SECRET_KEY;
    sessionSecretKey ??= local.SESSION_SECRET_KEY;
    embedded.push(`secrets: ${dataDir}/secrets.json`);
  }
  if (!e.GOOGLE_CLIENT_ID || !e.GOOGLE_CLIENT_SECRET) {
    embedded.push('google sign-in: not configured (/api/google/start and /callback answer 503)');
  }
  const frontendCallbackUrl = e.FRONTEND_CALLBACK_URL ?? 'http://localhost:5173/auth/callback';
  const corsOrigins = [new URL(frontendCallbackUrl).origin, ...e.CORS_ORIGINS];

  const redis = redisEndpoint(e.UPSTASH_REDIS_REST_URL, e.UPSTASH_REDIS_REST_TOKEN);
  if (!redis && !production) embedded.push('redis: in-process store (OTPs and rate limits live only as long as this process)');
  const mail: MailConfig | undefined = e.MAIL_SERVER
    ? {
        host: e.MAIL_SERVER,
        port: e.MAIL_PORT,
        username: e.MAIL_USERNAME,
        password: e.MAIL_PASSWORD,
        startTls: e.MAIL_STARTTLS,
        sslTls: e.MAIL_SSL_TLS,
        timeoutMs: e.MAIL_TIMEOUT_MS,
      }
    : undefined;
  if (!mail && !production) embedded.push(`mail: .eml files in ${resolve(dataDir, 'outbox')}, codes printed on this console`);
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
      neonHttpEndpoint: e.NEON_HTTP_ENDPOINT,
      connectTimeoutMs: e.DB_CONNECT_TIMEOUT_MS,
      queryTimeoutMs: e.DB_QUERY_TIMEOUT_MS,
    },
    secretKey,
    sessionSecretKey,
    jwt: { issuer: e.JWT_ISSUER, audience: e.JWT_AUDIENCE, ttlSeconds: e.ACCESS_TOKEN_EXPIRE_MINUTES * 60 },
    bcryptCost: e.BCRYPT_COST,
    frontendCallbackUrl,
    corsOrigins: [...new Set(corsOrigins)],
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    google: {
      clientId: e.GOOGLE_CLIENT_ID,
      clientSecret: e.GOOGLE_CLIENT_SECRET,
      redirectUri: e.GOOGLE_REDIRECT_URI,
      authorizationUrl: e.GOOGLE_AUTH_URL ?? GOOGLE.authorizationUrl,
      tokenUrl: e.GOOGLE_TOKEN_URL ?? GOOGLE.tokenUrl,
      jwksUrl: e.GOOGLE_JWKS_URL ?? GOOGLE.jwksUrl,
      issuers: e.GOOGLE_ISSUER ? [e.GOOGLE_ISSUER] : GOOGLE.issuers,
      timeoutMs: e.GOOGLE_TIMEOUT_MS,
      callbackDeadlineMs: e.GOOGLE_CALLBACK_DEADLINE_MS,
    },
    avatars: { maxBytes: e.AVATAR_MAX_BYTES, cloudinary, localDir: resolve(dataDir, 'avatars') },
    embedded,
    redis,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    redisTimeoutMs: e.REDIS_TIMEOUT_MS,
    rateLimits: {
      loginIp: e.RATE_LIMIT_LOGIN_IP,
      loginAccount: e.RATE_LIMIT_LOGIN_ACCOUNT,
      registerIp: e.RATE_LIMIT_REGISTER_IP,
      forgotIp: e.RATE_LIMIT_FORGOT_IP,
      forgotEmail: e.RATE_LIMIT_FORGOT_EMAIL,
      resetIp: e.RATE_LIMIT_RESET_IP,
      resetEmail: e.RATE_LIMIT_RESET_EMAIL,
      resetFailures: e.RATE_LIMIT_RESET_FAILURES,
      exchangeIp: e.RATE_LIMIT_EXCHANGE_IP,
      emailNotice: e.RATE_LIMIT_EMAIL_NOTICE,
      avatarUser: e.RATE_LIMIT_AVATAR_USER,
      profileUser: e.RATE_LIMIT_PROFILE_USER,
      profileIp: e.RATE_LIMIT_PROFILE_IP,
    },
    rateLimitFailOpen: e.RATE_LIMIT_FAIL_OPEN,
    otpTtlSeconds: e.OTP_TTL_SECONDS,
    mail,
    mailFrom: e.MAIL_FROM ?? 'Auth service <no-reply@localhost>',
    outboxDir: resolve(dataDir, 'outbox'),
  };
}

/**
 * Problems that involve more than one variable, or a variable and the mode, reported together with
 * the schema's own (`env` holds the raw strings, aliases applied).
 */
function crossChecks(env: Record<string, string | undefined>, production: boolean): string[] {
  const problems: string[] = [];
  const partial = CLOUDINARY_PARTS.filter((name) => env[name]);
  if (partial.length > 0 && partial.length < CLOUDINARY_PARTS.length) {
    problems.push(`${CLOUDINARY_PARTS.filter((name) => !env[name]).join(', ')} missing beside ${partial.join(', ')}`);
  }
  const driver = env.DATABASE_DRIVER;
  if (production && driver === 'pglite') problems.push('DATABASE_DRIVER pglite is not allowed in production');
  // In production the missing URL is already named by REQUIRED_IN_PRODUCTION.
  if (!production && (driver === 'pg' || driver === 'neon') && !env.DATABASE_URL) {
    problems.push(`DATABASE_URL is missing for driver ${driver}`);
  }
  // The Neon driver reads the URL again as an http:// one, whose host must be a valid domain name
  // (no stray %, no broken punycode), and its refusal quotes the whole URL, password and all, into
  // the log of every request. So such a URL is named here, without its value.
  const databaseUrl = env.DATABASE_URL;
  if (databaseUrl && URL.canParse(databaseUrl) && chooseDriver(driver ?? 'auto', databaseUrl) === 'neon' && !URL.canParse(`http:${databaseUrl.slice(databaseUrl.indexOf(':') + 1)}`)) {
    problems.push('DATABASE_URL has a host the Neon driver cannot read (a % or an invalid punycode label?)');
  }
  const { UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: token } = env;
  if (Boolean(url) !== Boolean(token)) {
    problems.push(`${url ? 'UPSTASH_REDIS_REST_TOKEN' : 'UPSTASH_REDIS_REST_URL'} is missing (the other one is set)`);
  }
  // A password alone was silently not used, and a user alone logged in with an empty password:
  // either way every mail failed, found out only per mail.
  if (Boolean(env.MAIL_USERNAME) !== Boolean(env.MAIL_PASSWORD)) {
    problems.push(`${env.MAIL_USERNAME ? 'MAIL_PASSWORD' : 'MAIL_USERNAME'} is missing (the other one is set)`);
  }
  if (url && !redisRestUrl(url)) {
    problems.push('UPSTASH_REDIS_REST_URL (or KV_REST_API_URL, UPSTASH_REDIS_URL) must be the REST URL, https://<name>.upstash.io, not a redis:// address');
  }
  if (production) {
    problems.push(...weakSecrets(env));
    // Decision: in production, plain http only to this machine (a stand-in, a frontend on
    // localhost). Elsewhere the Upstash token would cross the network readable, and so would the
    // one-time sign-in code the Google callback hands the frontend.
    for (const [name, value] of [['UPSTASH_REDIS_REST_URL', url && redisRestUrl(url)], ['FRONTEND_CALLBACK_URL', env.FRONTEND_CALLBACK_URL]] as const) {
      if (value && plainHttpOffMachine(value)) problems.push(`${name} must be https:// in production (http:// only to localhost)`);
    }
    // Sent credentials (Access-Control-Allow-Credentials): an http:// origin elsewhere could be anyone on its network.
    for (const origin of (env.CORS_ORIGINS ?? '').split(',').map((o) => o.trim())) {
      if (origin && plainHttpOffMachine(origin)) problems.push(`CORS_ORIGINS must be https:// origins in production (http:// only to localhost): ${origin}`);
    }
    problems.push(...standInsElsewhere(env));
  }
  return problems;
}

/**
 * Decision: Google's endpoint overrides and Cloudinary's `upload_prefix` exist for tests, against
 * stand-ins on this machine; in production they may point nowhere else (the bench and the test
 * of the deployed build run production mode against such stand-ins). Whoever answered at another
 * GOOGLE_JWKS_URL or GOOGLE_ISSUER could sign ID tokens for any account, and another upload
 * prefix would receive every signed upload. Google's own values are allowed, spelt out.
 */
function standInsElsewhere(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const google = { GOOGLE_AUTH_URL: [GOOGLE.authorizationUrl], GOOGLE_TOKEN_URL: [GOOGLE.tokenUrl], GOOGLE_JWKS_URL: [GOOGLE.jwksUrl], GOOGLE_ISSUER: GOOGLE.issuers };
  for (const [name, own] of Object.entries(google)) {
    const value = env[name];
    if (value && !own.includes(value) && !onThisMachine(value)) problems.push(`${name} is only for tests against a stand-in on this machine: unset it in production, where Google's own endpoints are used`);
  }
  const cloudinary = env.CLOUDINARY_URL && URL.canParse(env.CLOUDINARY_URL) ? new URL(env.CLOUDINARY_URL).searchParams.get('upload_prefix') : null;
  if (cloudinary && !onThisMachine(cloudinary)) problems.push("CLOUDINARY_URL's upload_prefix is only for tests against a stand-in on this machine: leave it out in production");
  return problems;
}

/** A URL whose host is this machine; false for a malformed one (named by the schema). */
function onThisMachine(value: string): boolean {
  return URL.canParse(value) && isLoopbackHost(new URL(value).hostname);
}

/** A host name of this machine: localhost, 127.0.0.0/8 or ::1 (bracketed, as in a URL, or bare, as in MAIL_SERVER). */
function isLoopbackHost(host: string): boolean {
  return /^(localhost|127(\.\d{1,3}){3}|\[::1\]|::1)$/i.test(host);
}

/** The FastAPI original's README examples: public, so no secret, whatever their length. */
const EXAMPLE_SECRETS = new Set(['a-long-random-secret-string', 'another-long-random-secret-string']);

/**
 * Production secrets that are long enough but no secret: a published example, a placeholder of a
 * few repeated characters (`xxxx…`, `changeme…`), or one key used for both jobs (a leak of one is
 * then a leak of both). Length is checked by the schema.
 */
function weakSecrets(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  for (const name of ['SECRET_KEY', 'SESSION_SECRET_KEY'] as const) {
    const value = env[name];
    if (value && (EXAMPLE_SECRETS.has(value) || new Set(value).size < 10)) {
      problems.push(`${name} looks like a placeholder, not a random string: generate one (openssl rand -base64 48)`);
    }
  }
  if (env.SECRET_KEY && env.SECRET_KEY === env.SESSION_SECRET_KEY) problems.push('SESSION_SECRET_KEY must differ from SECRET_KEY');
  return problems;
}

/** An http:// URL whose host is not this machine (localhost, 127.0.0.0/8, ::1). */
function plainHttpOffMachine(value: string): boolean {
  if (!URL.canParse(value)) return false; // malformed: named by the schema
  return new URL(value).protocol === 'http:' && !onThisMachine(value);
}

/** The Upstash REST URL: https:// (http:// for a local stand-in); a bare host gets `https://`. */
function redisRestUrl(url: string): string | undefined {
  const full = /^[a-z][a-z\d+.-]*:\/\//i.test(url) ? url : `https://${url}`;
  if (!/^https?:\/\//i.test(full) || !URL.canParse(full)) return undefined;
  return full.replace(/\/+$/, '');
}

/** The Upstash REST URL and token, or undefined when neither is set (checked by `crossChecks`). */
function redisEndpoint(url: string | undefined, token: string | undefined): Config['redis'] {
  const rest = url && redisRestUrl(url);
  return rest && token ? { url: rest, token } : undefined;
}

/** Cloudinary from CLOUDINARY_URL (which wins) or the three separate variables, else undefined. */
function readableCloudinaryUrl(value: string): boolean {
  try {
    const url = new URL(value);
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
    return true;
  } catch {
    return false;
  }
}

function cloudinaryConfig(e: z.output<typeof EnvSchema>): CloudinaryConfig | undefined {
  const common = { folder: e.CLOUDINARY_FOLDER, timeoutMs: e.CLOUDINARY_TIMEOUT_MS };
  if (e.CLOUDINARY_URL) {
    const url = new URL(e.CLOUDINARY_URL);
    return {
      cloudName: url.hostname,
      apiKey: decodeURIComponent(url.username),
      apiSecret: decodeURIComponent(url.password),
      uploadPrefix: url.searchParams.get('upload_prefix') ?? undefined,
      ...common,
    };
  }
  if (e.CLOUDINARY_CLOUD_NAME && e.CLOUDINARY_API_KEY && e.CLOUDINARY_API_SECRET) {
    return { cloudName: e.CLOUDINARY_CLOUD_NAME, apiKey: e.CLOUDINARY_API_KEY, apiSecret: e.CLOUDINARY_API_SECRET, uploadPrefix: undefined, ...common };
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
