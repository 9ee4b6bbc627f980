// `npm run dev`: the whole API on this machine, with embedded defaults for every missing service.
import { envFileLoaded } from './load-env-file.js'; // first: the modules below may read process.env
import { getConfig } from '../lib/config.js';
import { getDb } from '../lib/db/client.js';
import { startDevServer } from './dev-server.js';

const config = getConfig();
await getDb(); // open (and on PGlite, migrate) before the first request
// An empty HOST or PORT (as `.env.example` may leave them) means the default, as in lib/config.ts:
// an empty host would listen on every interface.
const { url } = await startDevServer({ port: Number(process.env.PORT || 3000), host: process.env.HOST || '127.0.0.1' });
const defaults =
  config.embedded.length > 0
    ? `  embedded defaults in use:\n${config.embedded.map((e) => `    - ${e}`).join('\n')}`
    : '  no embedded defaults: every service is configured';
// One write, so that a reader who sees the URL also sees the rest.
const envFile = envFileLoaded ? `  variables also read from ${envFileLoaded}\n` : '';
console.log(`auth service listening on ${url}\n  API docs: ${url}/docs   ReDoc: ${url}/redoc\n${envFile}${defaults}`);
