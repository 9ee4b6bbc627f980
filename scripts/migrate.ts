// `npm run db:migrate`: applies drizzle/ migrations to DATABASE_URL (or the embedded PGlite).
// The work lives in migrate-database.ts, so that this file always runs when started and never
// needs an "am I the main module?" check (which compared paths and URLs, and silently did nothing
// from a checkout whose path has a space in it).
import './load-env-file.js'; // first: DATABASE_URL may be in .env
import { closeDb } from '../lib/db/client.js';
import { getConfig } from '../lib/config.js';
import { migrateDatabase, migrationFailure } from './migrate-database.js';

try {
  await migrateDatabase();
  console.log(`migrations applied (${target()})`);
} catch (error) {
  console.error(`npm run db:migrate: ${migrationFailure(error)}`);
  process.exitCode = 1;
} finally {
  await closeDb();
}

/**
 * Which database that was, without its credentials: `pglite, <folder>` or `neon, <host>/<name>`, so
 * that a migration meant for Neon that went to the embedded PGlite (DATABASE_URL in `.env.local`,
 * which is not read) says so at once.
 */
function target(): string {
  const { driver, url, pgliteDir } = getConfig().database;
  if (driver === 'pglite' || !url) return `${driver}, ${pgliteDir}`;
  const { host, pathname } = new URL(url);
  return `${driver}, ${host}${pathname}`;
}
