// The types of drizzle-orm/node-postgres, for node-postgres.mjs beside it.
export * from 'drizzle-orm/node-postgres';
