// Imported first by the local scripts (`npm run dev`, `npm run db:migrate`): reads `.env` (or the
// file ENV_FILE names; ENV_FILE= empty reads none) into process.env. Variables already set win,
// as with Vercel's and dotenv's rules. Deployed functions never read it: on Vercel the variables
// come from the project's settings.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const file = process.env.ENV_FILE ?? '.env';

/** What was read, for the start-up message: undefined when there was no file to read. */
export const envFileLoaded: string | undefined = load(file);

function load(name: string): string | undefined {
  if (name === '' || !existsSync(name)) return undefined;
  const path = resolve(name);
  if (typeof process.loadEnvFile !== 'function') {
    console.warn(`${path} not read: reading an env file needs Node.js 20.12 or newer; export the variables instead`);
    return undefined;
  }
  process.loadEnvFile(path);
  return path;
}
