// Network round trips per endpoint on its common path, counted by wrapping the fetch that both
// the Neon HTTP driver and @upstash/redis use, in production mode (Neon driver, Upstash REST). Each endpoint runs twice and the second, warm run is counted. Prints one JSON line.
import { settleBackground } from '../../lib/background.js';
import { closeDb } from '../../lib/db/client.js';
import { productionEnvironment } from './environment.js';
import { requestFor } from './requests.js';
import { seedAccount } from './seed.js';

/** Targets from the performance issue: [database, redis]. */
export const ROUND_TRIP_TARGETS: Record<string, [number, number]> = {
  'POST /api/login': [1, 1],
  'GET /api/me': [1, 0],
  'POST /api/register': [1, 1],
  'POST /api/forgot-password': [1, 2],
  'POST /api/reset-password': [2, 2],
  'POST /api/google/exchange': [0, 1], // the issue names only Redis; no database read either
};

const counts = { db: 0, redis: 0 };
const production = await productionEnvironment();
Object.assign(process.env, production.env);

const originalFetch = globalThis.fetch;
const redisUrl = process.env.UPSTASH_REDIS_REST_URL!;
const databaseUrl = process.env.NEON_HTTP_ENDPOINT!;
globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (url.startsWith(redisUrl)) counts.redis++;
  if (url.startsWith(databaseUrl)) counts.db++;
  return originalFetch(input, init);
}) as typeof fetch;

try {
  const account = await seedAccount();
  const rows = [];
  for (const [name, [dbTarget, redisTarget]] of Object.entries(ROUND_TRIP_TARGETS)) {
    const [method, route] = name.split(' ') as [string, string];
    const mod = (await import(`../../api${route.slice(4)}.ts`).catch(() => undefined)) as Record<string, (r: Request) => Promise<Response>> | undefined;
    if (!mod?.[method]) {
      rows.push({ endpoint: name, status: 'missing', db: null, redis: null, dbTarget, redisTarget, met: false });
      continue;
    }
    let status = 0;
    let answered = { db: 0, redis: 0 };
    for (let run = 0; run < 2; run++) {
      const spec = await requestFor(route, account); // issuing a one-time code is not counted
      counts.db = 0;
      counts.redis = 0;
      const response = await mod[method]!(new Request(spec.url, { method, headers: spec.headers, body: spec.body }));
      // What the client waits for: round trips made before the answer. Work after the response
      // (mail, a login's limit refund) runs on, off the request's path.
      answered = { ...counts };
      await response.text();
      await settleBackground();
      status = response.status;
    }
    rows.push({ endpoint: name, status, ...answered, dbTarget, redisTarget, met: answered.db <= dbTarget && answered.redis <= redisTarget });
  }
  console.log(JSON.stringify(rows));
} finally {
  await closeDb();
  await production.close();
}
process.exit(0);
