// `npm run dev`: the whole API on this machine, with embedded defaults for every missing service.
import { envFileLoaded } from './load-env-file.js'; // first: the modules below may read process.env
import { ConfigError, getConfig } from '../lib/config.js';
import { closeDb, DataDirBusyError, getDb } from '../lib/db/client.js';
import { startDevServer } from './dev-server.js';

const config = (() => {
  try {
    return getConfig();
  } catch (error) {
    // A value in .env or the environment the configuration refuses: each named, without a stack.
    if (error instanceof ConfigError) stop(`the configuration is invalid (.env or the environment): ${error.problems.join('; ')}`);
    throw error;
  }
})();
// An empty HOST or PORT (as `.env.example` may leave them) means the default, as in lib/config.ts:
// an empty host would listen on every interface.
const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || '127.0.0.1';

/** Says what went wrong in one line, without a stack, and stops. */
function stop(message: string): never {
  console.error(`npm run dev: ${message}`);
  process.exit(1);
}

// The port first, then the database: a second `npm run dev` on the same port stops here, before it
// could open the embedded database that the first one is using.
const { server, url } = await startDevServer({ port, host }).catch((error: NodeJS.ErrnoException) =>
  stop(error.code === 'EADDRINUSE' ? `port ${port} on ${host} is in use (another \`npm run dev\`?). Stop it, or set PORT.` : error.message),
);
await getDb().catch((error: unknown) => stop(error instanceof DataDirBusyError ? error.message : `the database could not be opened: ${String(error)}`));

// Ctrl-C: stop taking requests, close the embedded database cleanly (and free its lock).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    void closeDb().finally(() => process.exit(0));
  });
}

const defaults =
  config.embedded.length > 0
    ? `  embedded defaults in use:\n${config.embedded.map((e) => `    - ${e}`).join('\n')}`
    : '  no embedded defaults: every service is configured';
// One write, so that a reader who sees the URL also sees the rest.
const envFile = envFileLoaded ? `  variables also read from ${envFileLoaded}\n` : '';
console.log(`auth service listening on ${url}\n  API docs: ${url}/docs   ReDoc: ${url}/redoc\n${envFile}${defaults}`);
