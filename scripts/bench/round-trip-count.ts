import * as exchange from '../../api/google/exchange.js';
import * as forgotPassword from '../../api/forgot-password.js';
import * as login from '../../api/login.js';
import * as me from '../../api/me.js';
import * as register from '../../api/register.js';
import * as resetPassword from '../../api/reset-password.js';
import { settleBackground } from '../../lib/background.js';
import { requestFor, type BenchAccount } from './requests.js';

type Module = Record<string, (request: Request) => Promise<Response>>;
const MODULES: Record<string, Module> = {
  '/api/login': login,
  '/api/me': me,
  '/api/register': register,
  '/api/forgot-password': forgotPassword,
  '/api/reset-password': resetPassword,
  '/api/google/exchange': exchange,
} as never;

/**
 * The performance issue's round-trip targets per endpoint, [database, redis]: network round trips
 * made before the answer on the common (successful) path.
 */
export const ROUND_TRIP_TARGETS: Record<string, [number, number]> = {
  'POST /api/login': [1, 1],
  'GET /api/me': [1, 0],
  'POST /api/register': [1, 1],
  'POST /api/forgot-password': [1, 2],
  'POST /api/reset-password': [2, 2],
  'POST /api/google/exchange': [0, 1], // the issue names only Redis; no database read either
};

export interface RoundTripRow {
  endpoint: string;
  status: number;
  /** Before the answer: what the targets are about. */
  db: number;
  redis: number;
  /** After the answer, in the same invocation (`waitUntil`: mail, a limit's refund): shown, not judged. */
  afterAnswer: { db: number; redis: number };
  dbTarget: number;
  redisTarget: number;
  /** Within both targets, on a successful answer that did reach a service (a broken counter counts 0). */
  met: boolean;
}

/**
 * Counts the requests each endpoint sends to the Neon HTTP endpoint and to Upstash before it
 * answers (both go through the global `fetch`, which is wrapped meanwhile), in the production-mode
 * environment this process has (see environment.ts). Each endpoint runs twice and the second, warm
 * run counts. Used by `npm run bench` and by tests/round-trips.test.ts.
 */
export async function countRoundTrips(account: BenchAccount, urls: { database: string; redis: string }): Promise<RoundTripRow[]> {
  const counts = { db: 0, redis: 0 };
  const originalFetch = globalThis.fetch;
  globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith(urls.redis)) counts.redis++;
    if (url.startsWith(urls.database)) counts.db++;
    return originalFetch(input, init);
  }) as typeof fetch;
  try {
    const rows: RoundTripRow[] = [];
    for (const [name, [dbTarget, redisTarget]] of Object.entries(ROUND_TRIP_TARGETS)) {
      const [method, route] = name.split(' ') as [string, string];
      const mod = MODULES[route]!;
      let status = 0;
      let answered = { db: 0, redis: 0 };
      let afterAnswer = { db: 0, redis: 0 };
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
        afterAnswer = { db: counts.db - answered.db, redis: counts.redis - answered.redis };
        status = response.status;
      }
      const within = answered.db <= dbTarget && answered.redis <= redisTarget;
      const met = within && status >= 200 && status < 400 && answered.db + answered.redis > 0;
      rows.push({ endpoint: name, status, ...answered, afterAnswer, dbTarget, redisTarget, met });
    }
    return rows;
  } finally {
    globalThis.fetch = originalFetch;
  }
}
