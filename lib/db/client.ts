import { fileURLToPath } from 'node:url';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { getConfig, type Config } from '../config.js';
import { deadline, MIN_STEP_MS, OutOfTimeError } from '../deadline.js';
import { within } from '../within.js';
import * as schema from './schema.js';

/** The drizzle database every driver is used through; queries are written once for all three. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

interface Connection {
  db: Database;
  close: () => Promise<void>;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

// Module scope on purpose: a warm serverless invocation reuses the pool (or the PGlite instance).
let connection: Promise<Connection> | undefined;

/**
 * The shared database handle, opened on first use with the driver the configuration chose:
 * PGlite (embedded, migrated automatically), node-postgres, or Neon's HTTP endpoint.
 * Each driver is imported lazily, so production never loads PGlite.
 *
 * @example const db = await getDb(); await db.select().from(users);
 */
export async function getDb(): Promise<Database> {
  connection ??= open(getConfig()).catch((error: unknown) => {
    connection = undefined; // let the next request try again instead of caching the failure
    throw error;
  });
  return (await connection).db;
}

/** Closes the shared connection (tests, scripts); the next `getDb()` opens a new one. */
export async function closeDb(): Promise<void> {
  const current = connection;
  connection = undefined;
  if (current) await (await current).close();
}

async function open(config: Config): Promise<Connection> {
  const { driver } = config.database;
  if (driver === 'pglite') return openPglite(config);
  if (driver === 'neon') return openNeon(config);
  return openNodePostgres(config);
}

async function openPglite(config: Config): Promise<Connection> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('../../vendor/drizzle/pglite.mjs');
  const { migrate } = await import('../../vendor/drizzle/pglite-migrator.mjs');
  const dir = config.database.pgliteDir;
  let release = async () => {};
  if (!dir.startsWith('memory://')) {
    // Only this user may read it, as PostgreSQL wants of its own data directory (0700): it holds
    // the password hashes and email addresses, and the outbox and secrets beside it are kept so too.
    const fs = await import('node:fs');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    try {
      fs.chmodSync(dir, 0o700); // a folder made before this rule
    } catch {
      // Not ours to change (another user's folder): opened as it is.
    }
    release = await lockDataDir(dir);
  }
  try {
    const client = new PGlite(dir);
    const db = drizzle(client, { schema });
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    return { db: db as unknown as Database, close: () => client.close().finally(release) };
  } catch (error) {
    await release();
    throw error;
  }
}

/** How long a lock left by a process that died holds the folder. */
const STALE_LOCK_MS = 10_000;

/** Another process has the embedded database's folder open. */
export class DataDirBusyError extends Error {
  constructor(readonly dir: string) {
    super(
      `Another process has the embedded database in ${dir} open (another \`npm run dev\`?). Stop it first, or give this one its own DATA_DIR. ` +
        `(If that process was killed, its lock clears itself within ${STALE_LOCK_MS / 1000} seconds: then start again.)`,
    );
    this.name = 'DataDirBusyError';
  }
}

/**
 * Takes the lock on a PGlite folder (`<dir>.lock`, kept fresh while held), or throws
 * DataDirBusyError. PGlite is single-process: a second process writing the same folder, even
 * briefly, leaves it unreadable ("could not locate a valid checkpoint record"). A lock left by a
 * process that died goes stale after 10 seconds.
 */
async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const { default: lockfile } = await import('proper-lockfile');
  try {
    return await lockfile.lock(dir, {
      stale: STALE_LOCK_MS,
      onCompromised: (error) => console.warn(`the lock on ${dir} was lost (${error.message}); stop any other process using it`),
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ELOCKED') throw new DataDirBusyError(dir);
    // The lock lives beside the folder; a folder PGlite may write in a parent it may not is still
    // opened, as before the lock existed, only without the guard.
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      console.warn(`no lock on ${dir} (${code} on ${dir}.lock): do not open it from two processes at once`);
      return async () => {};
    }
    throw error;
  }
}

async function openNodePostgres(config: Config): Promise<Connection> {
  const { default: pg } = await import('pg');
  const { drizzle } = await import('../../vendor/drizzle/node-postgres.mjs');
  const { queryTimeoutMs } = config.database;
  // A warm connection whose peer goes silent (no RST, no FIN) would otherwise hang the request
  // until the platform kills the function; past its deadline the query fails ("Query read
  // timeout"), which answers 503, and the pool drops that connection instead of reusing it.
  const pool = new pg.Pool({
    connectionString: config.database.url,
    max: 5,
    connectionTimeoutMillis: config.database.connectTimeoutMs,
    query_timeout: queryTimeoutMs,
    idleTimeoutMillis: 10_000,
  });
  // The deadline is DB_QUERY_TIMEOUT_MS, or the invocation's time left when that is less, so it is
  // set per query (drizzle sends each statement through `pool.query` as a plain config object,
  // which pg lets carry its own `query_timeout`). It counts from the call: a wait for a free or new
  // connection comes out of it (and is given up at the deadline, the connection released whenever
  // it comes), and with under MIN_STEP_MS left once one is had, the statement is not sent at all
  // (OutOfTimeError, answered 503; a query sent with a 1 ms deadline could still run). Else as
  // pg-pool's own `query`: connect, query, release (a failed client is dropped).
  type Query = (this: typeof pool, ...args: unknown[]) => unknown;
  pool.query = ((statement: unknown, ...rest: unknown[]) => {
    const plain = typeof statement === 'object' && statement !== null && typeof (statement as { submit?: unknown }).submit !== 'function';
    if (!plain || typeof rest.at(-1) === 'function') return (pg.Pool.prototype.query as Query).call(pool, statement, ...rest);
    return (async () => {
      const limit = deadline('DB_QUERY_TIMEOUT_MS', queryTimeoutMs);
      const endsAt = performance.now() + limit.ms;
      const connecting = pool.connect();
      const client = await within(limit, connecting, () => new OutOfTimeError('DB_QUERY_TIMEOUT_MS', 0)).catch((error: unknown) => {
        if (error instanceof OutOfTimeError) connecting.then((late) => late.release(), () => {});
        throw error;
      });
      const leftMs = Math.floor(endsAt - performance.now());
      if (leftMs < MIN_STEP_MS) {
        client.release();
        throw new OutOfTimeError('DB_QUERY_TIMEOUT_MS', leftMs);
      }
      const timed = { ...(statement as import('pg').QueryConfig), query_timeout: leftMs }; // pg reads it; its types omit it
      return new Promise((resolve, reject) => {
        // As pg-pool does: a checked-out client that loses its connection emits 'error', which must
        // be listened for (else the process dies of it) and ends the query; a failed client is dropped.
        let done = false;
        const finish = (error: Error | undefined, result?: unknown) => {
          if (done) return;
          done = true;
          client.removeListener('error', finish);
          client.release(error);
          if (error) reject(error);
          else resolve(result);
        };
        client.once('error', finish);
        try {
          client.query(timed, ...(rest as [unknown[]?])).then((result) => finish(undefined, result), finish);
        } catch (error) {
          finish(error as Error);
        }
      });
    })();
  }) as typeof pool.query;
  pool.on('error', (error) => console.error(`database pool error: ${error.message}`));
  return { db: drizzle(pool, { schema }) as unknown as Database, close: () => pool.end() };
}

async function openNeon(config: Config): Promise<Connection> {
  // Neon's HTTP endpoint, not its WebSocket pool: each query is one HTTPS request (Neon keeps the
  // PostgreSQL connections warm on its side), so a cold function pays no WebSocket and PostgreSQL
  // handshake before its first query, and needs no `ws` package. The price: no interactive
  // transactions, so every write is a single statement (see updateUser). Migrations, which want a
  // transaction, use the WebSocket pool (scripts/migrate-database.ts).
  const { neon, neonConfig } = await import('@neondatabase/serverless');
  const { drizzle } = await import('../../vendor/drizzle/neon-http.mjs');
  const { neonHttpEndpoint, queryTimeoutMs } = config.database;
  if (neonHttpEndpoint) neonConfig.fetchEndpoint = neonHttpEndpoint;
  // The driver's fetch has no deadline of its own; an unreachable database must answer 503 quickly,
  // within DB_QUERY_TIMEOUT_MS or the invocation's time left (with none left, it is not sent at all:
  // OutOfTimeError, answered 503).
  neonConfig.fetchFunction = async (url: string, init: RequestInit) =>
    fetch(url, { ...init, signal: AbortSignal.timeout(deadline('DB_QUERY_TIMEOUT_MS', queryTimeoutMs).ms) });
  const sql = neon(config.database.url!);
  return { db: drizzle(sql, { schema }) as unknown as Database, close: async () => {} };
}

/**
 * The constraint a statement violated when it failed on a unique index, else undefined.
 * Drivers (and drizzle's query wrapper) nest the PostgreSQL error differently, so walk the causes.
 */
export function uniqueViolation(error: unknown): string | undefined {
  for (let e = error as { code?: string; constraint?: string; cause?: unknown } | undefined; e; ) {
    if (e.code === '23505') return e.constraint ?? 'unknown';
    e = e.cause as typeof e;
  }
  return undefined;
}
