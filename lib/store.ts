import { ConfigError, getConfig, type RateLimitRule } from './config.js';
import { createMemoryStore } from './memory-store.js';
import { createRedisStore } from './redis-store.js';

export { StoreUnavailableError } from './store-error.js';

/**
 * Short-lived state (one-time codes, exchange codes, rate-limit windows): Upstash Redis in
 * production, an in-process store with the same semantics outside it. Both backends pass the same
 * contract suite (tests/store-contract.ts), so code written against this interface behaves alike.
 */
export interface Store {
  /** Stores value under key for ttlSeconds, replacing any earlier value. */
  put(key: string, value: string, ttlSeconds: number): Promise<void>;
  /**
   * `put` for a value taken (`take`) for work that then did not happen: tried even right after
   * Redis was found unreachable, as `giveBack` and `restoreCode` are, since refused untried it
   * would be lost for good. For after the response, where nobody waits on it.
   */
  putBack(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Returns the value and deletes it in one atomic step (GETDEL); null when absent or expired. */
  take(key: string): Promise<string | null>;
  /** Stores a one-time code's digest under key with a fresh try counter, replacing any earlier code. */
  putCode(key: string, digest: string, ttlSeconds: number): Promise<void>;
  /**
   * Checks a digest against the stored code in one atomic step, leaving a right code in place. A
   * wrong digest counts a try and voids the code at `maxWrongTries` (unless `countWrong` is false:
   * a look that changes nothing). A taken code is `missing`.
   */
  checkCode(key: string, digest: string, options: { maxWrongTries: number; countWrong?: boolean }): Promise<CodeCheck>;
  /**
   * Takes the code if `digest` is right, in one atomic step, so of racing takers exactly one gets
   * `ok`; a wrong digest counts nothing. A taken code stays stored, marked, for `restoreCode`, and
   * counts as missing: no check or take sees it again.
   */
  takeCode(key: string, digest: string): Promise<CodeCheck>;
  /**
   * Undoes `takeCode` for work after the take that certainly did not happen: the code is live
   * again, with its tries and its expiry as they were, only if that very code is still stored and
   * taken. A newer code (stored over it, and perhaps taken or voided since) is never replaced by it.
   */
  restoreCode(key: string, digest: string): Promise<void>;
  /** Counts one request against a sliding-window limit and says whether it may pass. */
  hit(key: string, rule: RateLimitRule): Promise<LimitResult>;
  /**
   * Gives back one request that `hit` counted in the window ending at `reset` (as `hit` answered
   * it), never taking that window's count below 0: reserve-then-give-back makes a "failures only"
   * limit exact under concurrency. Given back in its own window, not the current one: a slot taken
   * just before a window's end and returned just after must not free a slot in the new window.
   * A window given back to 0 keeps nothing stored.
   */
  giveBack(key: string, rule: RateLimitRule, reset: number): Promise<void>;
  /** The state of a sliding-window limit without counting a request. */
  peek(key: string, rule: RateLimitRule): Promise<LimitResult>;
}

export type CodeCheck = 'ok' | 'wrong' | 'missing';

export interface LimitResult {
  success: boolean;
  limit: number;
  remaining: number;
  /** When the current window ends, in milliseconds since the epoch. */
  reset: number;
}

let cached: Store | undefined;

/**
 * The Upstash client (from UPSTASH_REDIS_REST_URL/_TOKEN, KV_REST_API_URL/_TOKEN,
 * UPSTASH_REDIS_URL/_TOKEN; bare host → https://) or, outside production without them, the
 * in-process store. Production without Redis is a configuration error, never a silent fallback
 * (a serverless instance's memory is neither shared nor lasting).
 *
 * @example await getStore().put(`exchange:${code}`, userId, 60);
 */
export function getStore(): Store {
  if (cached) return cached;
  const config = getConfig();
  if (config.redis) {
    cached = createRedisStore({ ...config.redis, prefix: config.redisKeyPrefix, timeoutMs: config.redisTimeoutMs });
  } else if (config.production) {
    throw new ConfigError(['UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN are missing']);
  } else {
    cached = createMemoryStore(config.redisKeyPrefix);
  }
  return cached;
}

/** Forgets the store so the next `getStore()` reads the configuration again (tests), like resetConfig. */
export function resetStore(): void {
  cached = undefined;
}
