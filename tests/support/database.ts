import { resetConfig } from '../../lib/config.js';
import { closeDb } from '../../lib/db/client.js';
import { migrateDatabase } from '../../scripts/migrate-database.js';
import { createTestDatabase } from './postgres.js';
import { startNeonStandIns } from './neon-http.js';

export type TestDriver = 'pglite' | 'pg' | 'neon';

/**
 * Points the app at a fresh database behind the given driver and applies the migrations:
 * an in-memory PGlite, or a new database on the local PostgreSQL through node-postgres or
 * through the Neon serverless driver: queries over HTTP to a loopback stand-in for Neon's SQL endpoint,
 * migrations over a loopback WebSocket proxy, as on Neon. Returns the cleanup.
 */
export async function useDatabase(driver: TestDriver, options: DatabaseOptions = {}): Promise<() => Promise<void>> {
  const cleanups: (() => Promise<void>)[] = [];
  process.env.DATABASE_DRIVER = driver;
  Object.assign(process.env, options.env);
  if (driver === 'pglite') {
    delete process.env.DATABASE_URL;
    process.env.PGLITE_DATA_DIR = 'memory://';
  } else {
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    const url = new URL(database.url);
    if (options.port) Object.assign(url, { hostname: '127.0.0.1', port: String(options.port) });
    process.env.DATABASE_URL = url.toString();
    if (driver === 'neon') {
      const neon = await startNeonStandIns();
      cleanups.push(async () => {
        await neon.close();
        for (const name of Object.keys(neon.env)) delete process.env[name];
      });
      Object.assign(process.env, neon.env);
    }
  }
  resetConfig();
  await closeDb();
  await migrateDatabase();
  return async () => {
    await closeDb();
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
}

export interface DatabaseOptions {
  /** Reach PostgreSQL on this loopback port instead (a TCP proxy in front of it, to play outages). */
  port?: number;
  /** Further variables to set first (timeouts). */
  env?: Record<string, string>;
}
