import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes SQL migrations for lib/db/schema.ts into drizzle/ (committed).
// Applying them is `npm run db:migrate` (scripts/migrate.ts), which uses the same drivers as the app.
export default defineConfig({
  dialect: 'postgresql',
  schema: './lib/db/schema.ts',
  out: './drizzle',
});
