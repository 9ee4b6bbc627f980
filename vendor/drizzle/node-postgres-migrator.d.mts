// The types of drizzle-orm/node-postgres/migrator, for node-postgres-migrator.mjs beside it.
export * from 'drizzle-orm/node-postgres/migrator';
