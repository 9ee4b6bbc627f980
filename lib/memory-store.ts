import type { RateLimitRule } from './config.js';
import type { CodeCheck, LimitResult, Store } from './store.js';

/** The in-process Store, which can also list what it holds. */
export interface MemoryStore extends Store {
  /** The keys it holds now (unexpired), prefix included: what Redis's KEYS would list. */
  keys(): string[];
}

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * The embedded stand-in for Redis: one Map in this process. Every method runs synchronously
 * between awaits, which makes each one atomic just as a Lua script is on Redis. The sliding
 * window is the one @upstash/ratelimit computes (current window plus the weighted previous one),
 * so limits behave the same on both backends.
 *
 * @example const store = createMemoryStore('auth:');
 */
export function createMemoryStore(prefix: string, now: () => number = Date.now): MemoryStore {
  const entries = new Map<string, Entry>();

  const read = (key: string): string | null => {
    const entry = entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= now()) {
      entries.delete(key);
      return null;
    }
    return entry.value;
  };
  const write = (key: string, value: string, ttlMs: number) => {
    entries.set(key, { value, expiresAt: now() + ttlMs });
    sweep();
  };
  // Drop expired entries now and then so a long-running dev server does not grow without bound.
  let writes = 0;
  const sweep = () => {
    if (++writes % 1000 !== 0) return;
    const t = now();
    for (const [key, entry] of entries) if (entry.expiresAt <= t) entries.delete(key);
  };

  // A one-time code: its digest, wrong tries, and whether it was taken (kept for a restore).
  type Code = { digest: string; wrong: number; taken?: boolean };
  const readCode = (key: string): Code | null => {
    const raw = read(prefix + key);
    return raw === null ? null : (JSON.parse(raw) as Code);
  };
  const writeCode = (key: string, code: Code) => {
    entries.get(prefix + key)!.value = JSON.stringify(code); // keeps the code's expiry
  };

  const windowState = (key: string, rule: RateLimitRule) => {
    const t = now();
    const current = Math.floor(t / rule.windowMs);
    const currentKey = `${prefix}rl:${key}:${current}`;
    const inCurrent = Number(read(currentKey) ?? 0);
    const inPrevious = Number(read(`${prefix}rl:${key}:${current - 1}`) ?? 0);
    const weightedPrevious = Math.floor((1 - (t % rule.windowMs) / rule.windowMs) * inPrevious);
    return { currentKey, used: inCurrent + weightedPrevious, inCurrent, reset: (current + 1) * rule.windowMs };
  };

  return {
    keys: () => [...entries.keys()].filter((key) => read(key) !== null),
    async put(key, value, ttlSeconds) {
      write(prefix + key, value, ttlSeconds * 1000);
    },
    async putBack(key, value, ttlSeconds) {
      write(prefix + key, value, ttlSeconds * 1000); // as put: in-process there is no outage to skip
    },
    async take(key) {
      const value = read(prefix + key);
      entries.delete(prefix + key);
      return value;
    },
    async putCode(key, digest, ttlSeconds) {
      write(prefix + key, JSON.stringify({ digest, wrong: 0 }), ttlSeconds * 1000);
    },
    async checkCode(key, digest, { maxWrongTries, countWrong = true }): Promise<CodeCheck> {
      const code = readCode(key);
      if (!code || code.taken) return 'missing';
      if (code.digest === digest) return 'ok';
      if (!countWrong) return 'wrong';
      code.wrong += 1;
      if (code.wrong >= maxWrongTries) entries.delete(prefix + key);
      else writeCode(key, code);
      return 'wrong';
    },
    async takeCode(key, digest): Promise<CodeCheck> {
      const code = readCode(key);
      if (!code || code.taken) return 'missing';
      if (code.digest !== digest) return 'wrong';
      writeCode(key, { ...code, taken: true });
      return 'ok';
    },
    async restoreCode(key, digest) {
      const code = readCode(key);
      if (code?.taken && code.digest === digest) writeCode(key, { digest: code.digest, wrong: code.wrong });
    },
    async hit(key, rule): Promise<LimitResult> {
      const state = windowState(key, rule);
      if (state.used + 1 > rule.limit) return { success: false, limit: rule.limit, remaining: Math.max(0, rule.limit - state.used), reset: state.reset };
      const existing = entries.get(state.currentKey);
      if (existing && existing.expiresAt > now()) existing.value = String(state.inCurrent + 1);
      else write(state.currentKey, String(state.inCurrent + 1), rule.windowMs * 2 + 1000);
      return { success: true, limit: rule.limit, remaining: Math.max(0, rule.limit - state.used - 1), reset: state.reset };
    },
    async giveBack(key, rule, reset) {
      const bucket = `${prefix}rl:${key}:${reset / rule.windowMs - 1}`;
      const count = Number(read(bucket) ?? 0);
      if (count > 1) entries.get(bucket)!.value = String(count - 1); // keeps the bucket's expiry
      else if (count === 1) entries.delete(bucket); // as on Redis: nothing kept for a bucket at 0
    },
    async peek(key, rule): Promise<LimitResult> {
      const state = windowState(key, rule);
      const remaining = Math.max(0, rule.limit - state.used);
      return { success: remaining > 0, limit: rule.limit, remaining, reset: state.reset };
    },
  };
}
