// The types of drizzle-orm/neon-http, for neon-http.mjs beside it.
export * from 'drizzle-orm/neon-http';
