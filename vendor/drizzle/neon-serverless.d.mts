// The types of drizzle-orm/neon-serverless, for neon-serverless.mjs beside it.
export * from 'drizzle-orm/neon-serverless';
