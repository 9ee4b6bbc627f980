// drizzle-orm 0.45.4, bundled by scripts/vendor-drizzle.mjs (npm run vendor:drizzle). Do not edit.
import {
  readMigrationFiles
} from "./chunk-AAJKWT26.mjs";

// node_modules/drizzle-orm/pglite/migrator.js
async function migrate(db, config) {
  const migrations = readMigrationFiles(config);
  await db.dialect.migrate(migrations, db.session, config);
}
export {
  migrate
};
