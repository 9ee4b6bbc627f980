// drizzle-orm 0.45.4 (Apache-2.0, https://github.com/drizzle-team/drizzle-orm; the package ships no licence file), bundled by scripts/vendor.mjs (npm run vendor). Do not edit.
import {
  readMigrationFiles
} from "./chunk-UEJ5FTUY.mjs";

// node_modules/drizzle-orm/node-postgres/migrator.js
async function migrate(db, config) {
  const migrations = readMigrationFiles(config);
  await db.dialect.migrate(migrations, db.session, config);
}
export {
  migrate
};
