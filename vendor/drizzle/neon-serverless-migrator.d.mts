// The types of drizzle-orm/neon-serverless/migrator, for neon-serverless-migrator.mjs beside it.
export * from 'drizzle-orm/neon-serverless/migrator';
