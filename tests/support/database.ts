import { resetConfig } from '../../lib/config.js';
import { closeDb } from '../../lib/db/client.js';
import { migrateDatabase } from '../../scripts/migrate.js';
import { createTestDatabase } from './postgres.js';
import { startNeonStandIns } from './neon-http.js';

export type TestDriver = 'pglite' | 'pg' | 'neon';

/**
 * Points the app at a fresh database behind the given driver and applies the migrations:
 * an in-memory PGlite, or a new database on the local PostgreSQL through node-postgres or
 * through the Neon serverless driver: queries over HTTP to a loopback stand-in for Neon's SQL endpoint,
 * migrations over a loopback WebSocket proxy, as on Neon. Returns the cleanup.
 */
export async function useDatabase(driver: TestDriver): Promise<() => Promise<void>> {
  const cleanups: (() => Promise<void>)[] = [];
  process.env.DATABASE_DRIVER = driver;
  if (driver === 'pglite') {
    delete process.env.DATABASE_URL;
    process.env.PGLITE_DATA_DIR = 'memory://';
  } else {
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    process.env.DATABASE_URL = database.url;
    if (driver === 'neon') {
      const neon = await startNeonStandIns();
      cleanups.push(neon.close);
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
