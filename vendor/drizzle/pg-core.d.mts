// The types of drizzle-orm/pg-core, for pg-core.mjs beside it.
export * from 'drizzle-orm/pg-core';
