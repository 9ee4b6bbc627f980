// The types of drizzle-orm/pglite/migrator, for pglite-migrator.mjs beside it.
export * from 'drizzle-orm/pglite/migrator';
