// Network round trips per endpoint on its common path (see round-trip-count.ts), in production
// mode: the Neon HTTP driver and Upstash REST, both through loopback stand-ins. Prints one JSON line.
import { closeDb } from '../../lib/db/client.js';
import { productionEnvironment } from './environment.js';
import { countRoundTrips } from './round-trip-count.js';
import { seedAccount } from './seed.js';

const production = await productionEnvironment();
Object.assign(process.env, production.env);
try {
  const account = await seedAccount(production.provider);
  console.log(JSON.stringify(await countRoundTrips(account, { database: production.env.NEON_HTTP_ENDPOINT!, redis: production.env.UPSTASH_REDIS_REST_URL! })));
} finally {
  await closeDb();
  await production.close();
}
process.exit(0);
