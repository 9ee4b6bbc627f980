// Applies drizzle/ migrations to DATABASE_URL (or the embedded PGlite); `npm run db:migrate` runs it.
import { getDb, MIGRATIONS_FOLDER } from '../lib/db/client.js';
import { getConfig, type Config } from '../lib/config.js';
import { describeError } from '../lib/describe-error.js';

export async function migrateDatabase(): Promise<void> {
  const config = getConfig();
  if (config.database.driver === 'neon') return migrateOverNeonWebSocket(config);
  if (config.database.driver === 'pg') return migrateOverNodePostgres(config);
  await getDb(); // PGlite migrates itself when opened
}

/**
 * A pool of its own, not the functions' (getDb): theirs gives up a query after DB_QUERY_TIMEOUT_MS,
 * a request's deadline, and a migration (an index built on a large table, a lock a running
 * function holds) may rightly take longer.
 */
async function migrateOverNodePostgres(config: Config): Promise<void> {
  const { default: pg } = await import('pg');
  const { drizzle } = await import('../vendor/drizzle/node-postgres.mjs');
  const { migrate } = await import('../vendor/drizzle/node-postgres-migrator.mjs');
  const pool = new pg.Pool({ connectionString: config.database.url, max: 1, connectionTimeoutMillis: config.database.connectTimeoutMs });
  try {
    await migrate(drizzle(pool), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await pool.end();
  }
}

/**
 * Migrations go through the Neon driver's WebSocket pool, not the HTTP endpoint the functions use:
 * drizzle's migrator then runs them in one transaction, so a failed migration leaves nothing half-applied.
 */
async function migrateOverNeonWebSocket(config: Config): Promise<void> {
  const { Pool, neonConfig } = await import('@neondatabase/serverless');
  const { drizzle } = await import('../vendor/drizzle/neon-serverless.mjs');
  const { migrate } = await import('../vendor/drizzle/neon-serverless-migrator.mjs');
  if (typeof WebSocket === 'undefined') neonConfig.webSocketConstructor = (await import('ws')).default;
  const proxy = config.database.neonWsProxy;
  if (proxy) {
    // A local PostgreSQL behind a WebSocket-to-TCP proxy (development and tests): plain ws://, and
    // no pipelined connect, which only works with Neon's cleartext-password auth, not SCRAM.
    neonConfig.wsProxy = (host, port) => `${proxy}/v2?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineConnect = false;
    neonConfig.pipelineTLS = false;
  }
  const pool = new Pool({ connectionString: config.database.url, max: 1, connectionTimeoutMillis: config.database.connectTimeoutMs });
  try {
    await migrate(drizzle(pool), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await pool.end();
  }
}

/**
 * What an operator is told when migrating failed: the database's own reason (drizzle's message is
 * only the statement), the statement's first line, and for a table that is already there (made by
 * something else, such as the FastAPI original on the same database) what to do about it.
 *
 * @example console.error(`npm run db:migrate: ${migrationFailure(error)}`);
 */
export function migrationFailure(error: unknown): string {
  const lines = [describeError(error)];
  const statement = error instanceof Error ? /^Failed query: (.*)/.exec(error.message)?.[1] : undefined;
  if (statement) lines.push(`  while running: ${statement.trim()}`);
  const code = error instanceof Error && error.cause instanceof Error ? (error.cause as { code?: string }).code : undefined;
  if (code === '42P07') {
    lines.push(
      '  The database already holds a table of that name, made by something else (the FastAPI original\'s "users"?).',
      '  Migrate into a new database, or rename the old tables first: see "Moving from the FastAPI service" in README.md.',
    );
  }
  return lines.join('\n');
}
