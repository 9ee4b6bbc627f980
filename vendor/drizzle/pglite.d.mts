// The types of drizzle-orm/pglite, for pglite.mjs beside it.
export * from 'drizzle-orm/pglite';
