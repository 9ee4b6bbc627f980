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
  console.log(`migrations applied (${getConfig().database.driver})`);
} catch (error) {
  console.error(`npm run db:migrate: ${migrationFailure(error)}`);
  process.exitCode = 1;
} finally {
  await closeDb();
}
