// The types of drizzle-orm, for index.mjs beside it.
export * from 'drizzle-orm';
