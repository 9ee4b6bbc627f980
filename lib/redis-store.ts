import { Ratelimit } from '@upstash/ratelimit';
import { Redis } from '@upstash/redis';
import type { RateLimitRule } from './config.js';
import type { CodeCheck, LimitResult, Store } from './store.js';
import { StoreUnavailableError } from './store-error.js';

// Replace-and-reset in one step, so a new request's code never inherits the old one's tries.
const PUT_CODE = `
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'digest', ARGV[1], 'wrong', 0)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

// Check, count a wrong try, void: one script, so racing requests are serialised by Redis. A code
// marked taken counts as missing. The digests are HMACs the caller cannot compute, so comparing
// them with == leaks nothing useful.
const CHECK_CODE = `
local code = redis.call('HMGET', KEYS[1], 'digest', 'taken')
if not code[1] or code[2] then return 0 end
if code[1] == ARGV[1] then return 1 end
if ARGV[3] == '0' then return -1 end
local wrong = redis.call('HINCRBY', KEYS[1], 'wrong', 1)
if wrong >= tonumber(ARGV[2]) then redis.call('DEL', KEYS[1]) end
return -1`;

// Take a right code: marked, not deleted, so that a restore can tell it is still this code.
const TAKE_CODE = `
local code = redis.call('HMGET', KEYS[1], 'digest', 'taken')
if not code[1] or code[2] then return 0 end
if code[1] ~= ARGV[1] then return -1 end
redis.call('HSET', KEYS[1], 'taken', 1)
return 1`;

// Undo a take, only of this very code while it is still taken (a newer code replaced the hash).
const RESTORE_CODE = `
local code = redis.call('HMGET', KEYS[1], 'digest', 'taken')
if code[1] == ARGV[1] and code[2] then redis.call('HDEL', KEYS[1], 'taken') end
return 1`;

// One request given back to the window bucket it was counted in, never below 0. The bucket is
// @upstash/ratelimit's own sliding-window counter (`<prefix>:<identifier>:<window number>`, a plain
// integer under PEXPIRE); tests/store-contract.ts checks that against the library on real Redis
// (CI requires Redis, so it runs there every time). A bucket given back to 0 is deleted, not kept
// for its two windows: a flood of refused requests under made-up names leaves no key behind. The
// library's script sets the expiry again when its increment creates the bucket anew.
const GIVE_BACK = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 1 then redis.call('DECR', KEYS[1]) elseif count == 1 then redis.call('DEL', KEYS[1]) end
return count`;

export interface RedisStoreOptions {
  url: string;
  token: string;
  /** Prepended to every key, so several deployments (or test files) can share one database. */
  prefix: string;
  /** The whole budget of one call, retries included; an outage must be answered within about a second. */
  timeoutMs: number;
  /** @upstash/ratelimit's own deadline; by default a little after the client's, which should win. */
  limiterTimeoutMs?: number;
}

/**
 * The Store on Upstash Redis over its REST API, with `@upstash/ratelimit` for the windows.
 * Every failure (refused, timed out, an error reply, the rate limiter's own timeout) becomes a
 * `StoreUnavailableError`, which the endpoint wrapper answers with 503 and `Retry-After`.
 *
 * @example const store = createRedisStore({ url, token, prefix: 'auth:', timeoutMs: 800 });
 */
export function createRedisStore(options: RedisStoreOptions): Store {
  const redis = new Redis({
    url: options.url,
    token: options.token,
    // One quick retry for a dropped connection; the default (5 retries, exponential back-off)
    // would hold a request for seconds while Redis is down.
    retry: { retries: 1, backoff: () => 50 },
    // A function, not a signal: the client then throws on timeout instead of returning
    // `"Aborted"` as if it were the command's result. One deadline covers the retries too.
    signal: () => AbortSignal.timeout(options.timeoutMs),
    // Values are our own strings; never let a digit-only value come back as a number.
    automaticDeserialization: false,
    enableTelemetry: false,
  });
  const { prefix } = options;
  const limiters = new Map<string, Ratelimit>();
  const limiter = (rule: RateLimitRule): Ratelimit => {
    const id = `${rule.limit}/${rule.windowMs}`;
    let found = limiters.get(id);
    if (!found) {
      found = new Ratelimit({
        redis,
        limiter: Ratelimit.slidingWindow(rule.limit, `${rule.windowMs} ms`),
        prefix: `${prefix}rl`,
        // Its own deadline resolves `success: true, reason: "timeout"`; `hit` turns that into an outage.
        timeout: options.limiterTimeoutMs ?? options.timeoutMs + 200,
        // No in-process block list: every answer comes from Redis, as on the other instances.
        ephemeralCache: false,
        analytics: false,
      });
      limiters.set(id, found);
    }
    return found;
  };

  // Once Redis could not be reached, calls in the next `timeoutMs` fail at once instead of each
  // waiting out its own deadline: a request that goes on after one failure (a rate limit skipped
  // under RATE_LIMIT_FAIL_OPEN, then the code it must store) still answers within about a second.
  // A refund (giveBack) skips that shortcut: it runs after the response, where nobody waits on it,
  // and refused untried it would lose the slot for good (a blip at the wrong moment would cost a
  // reset request's address one of its few codes an hour). So does putting back a code taken for
  // work that did not happen (restoreCode, putBack), also after the response: the retry needs it.
  let unreachableUntil = 0;
  const guard = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    if (Date.now() < unreachableUntil) throw new StoreUnavailableError(`redis ${what} not tried: Redis was unreachable a moment ago`, { tried: false });
    return attempt(what, run);
  };
  const attempt = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (!isErrorReply(error)) unreachableUntil = Date.now() + options.timeoutMs;
      if (error instanceof StoreUnavailableError) throw error;
      throw new StoreUnavailableError(`redis ${what} failed: ${reasonOf(error)}`, { cause: error });
    }
  };

  const set = (key: string, value: string, ttlSeconds: number) => async () => {
    await redis.set(prefix + key, value, { ex: ttlSeconds });
  };

  return {
    put: (key, value, ttlSeconds) => guard('SET', set(key, value, ttlSeconds)),
    putBack: (key, value, ttlSeconds) => attempt('SET', set(key, value, ttlSeconds)),
    take: (key) => guard('GETDEL', () => redis.getdel<string>(prefix + key)),
    putCode: (key, digest, ttlSeconds) =>
      guard('EVAL', async () => {
        await redis.eval(PUT_CODE, [prefix + key], [digest, ttlSeconds * 1000]);
      }),
    checkCode: (key, digest, { maxWrongTries, countWrong = true }) =>
      guard('EVAL', async (): Promise<CodeCheck> => {
        return codeCheck(await redis.eval(CHECK_CODE, [prefix + key], [digest, maxWrongTries, countWrong ? '1' : '0']));
      }),
    takeCode: (key, digest) =>
      guard('EVAL', async (): Promise<CodeCheck> => {
        return codeCheck(await redis.eval(TAKE_CODE, [prefix + key], [digest]));
      }),
    restoreCode: (key, digest) =>
      attempt('EVAL', async () => {
        await redis.eval(RESTORE_CODE, [prefix + key], [digest]);
      }),
    hit: (key, rule) =>
      guard('rate limit', async (): Promise<LimitResult> => {
        const result = await limiter(rule).limit(key);
        if (result.reason === 'timeout') throw new StoreUnavailableError('redis rate limit timed out');
        return { success: result.success, limit: result.limit, remaining: result.remaining, reset: result.reset };
      }),
    giveBack: (key, rule, reset) =>
      attempt('EVAL', async () => {
        await redis.eval(GIVE_BACK, [`${prefix}rl:${key}:${reset / rule.windowMs - 1}`], []);
      }),
    peek: (key, rule) =>
      guard('rate limit', async (): Promise<LimitResult> => {
        const result = await limiter(rule).getRemaining(key);
        return { success: result.remaining > 0, limit: result.limit, remaining: result.remaining, reset: result.reset };
      }),
  };
}

/** A code script's answer (1 right, -1 wrong, 0 no live code) as a CodeCheck. */
function codeCheck(answer: unknown): CodeCheck {
  const result = Number(answer);
  return result === 1 ? 'ok' : result === -1 ? 'wrong' : 'missing';
}

/**
 * Why a call failed, for the log. An error reply's message from @upstash/redis ends in
 * `, command was: [...]`, the whole command: keys (the per-IP limits' hold the client's IP) and
 * arguments (an exchange code's user id). Only Redis's own words are kept.
 */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return isErrorReply(error) ? error.message.replace(/, command was: [\s\S]*$/, '') : error.message;
}

/** Redis answered, with an error (a script's, a command's): it is reachable. */
function isErrorReply(error: unknown): boolean {
  return error instanceof Error && (error.name === 'UpstashError' || error.name === 'UpstashJSONParseError');
}
