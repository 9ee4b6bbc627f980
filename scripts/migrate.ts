// `npm run db:migrate`: applies drizzle/ migrations to DATABASE_URL (or the embedded PGlite).
import { closeDb, getDb, MIGRATIONS_FOLDER } from '../lib/db/client.js';
import { getConfig } from '../lib/config.js';

export async function migrateDatabase(): Promise<void> {
  const config = getConfig();
  const db = await getDb(); // PGlite migrates itself when opened
  if (config.database.driver === 'pg') {
    const { migrate } = await import('drizzle-orm/node-postgres/migrator');
    await migrate(db as never, { migrationsFolder: MIGRATIONS_FOLDER });
  } else if (config.database.driver === 'neon') {
    const { migrate } = await import('drizzle-orm/neon-serverless/migrator');
    await migrate(db as never, { migrationsFolder: MIGRATIONS_FOLDER });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  migrateDatabase()
    .then(() => console.log(`migrations applied (${getConfig().database.driver})`))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    })
    .finally(() => closeDb());
}
