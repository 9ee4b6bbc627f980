// `npm run redis:rest`: the Upstash-REST-compatible server the tests use, in front of a local Redis
// (TEST_REDIS_URL, default redis://127.0.0.1:6379), so `npm run dev` can run against a real Redis:
// the production code speaks only Upstash's REST protocol, never redis://. Prints the two variables.
import { startUpstashRest } from '../tests/support/upstash-rest.js';
import { REDIS_URL } from '../tests/support/services.js';

const rest = await startUpstashRest().catch((error: unknown) => {
  console.error(`npm run redis:rest: Redis at ${REDIS_URL} could not be reached (${error instanceof Error ? error.message : String(error)})`);
  process.exit(1);
});
console.log(`Upstash REST stand-in on ${rest.url}, in front of ${REDIS_URL}. Start the API against it with:`);
console.log(`UPSTASH_REDIS_REST_URL=${rest.url} UPSTASH_REDIS_REST_TOKEN=${rest.token} npm run dev`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void rest.close().then(() => process.exit(0)));
