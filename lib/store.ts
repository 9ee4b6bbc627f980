// PLACEHOLDER: replaced by the Redis branch at merge
export interface Store {
  /** Stores value under key for ttlSeconds, replacing any earlier value. */
  put(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Returns the value and deletes it in one atomic step (GETDEL); null when absent or expired. */
  take(key: string): Promise<string | null>;
}

export class StoreUnavailableError extends Error {}

const entries = new Map<string, { value: string; expiresAt: number }>();

const memoryStore: Store = {
  async put(key, value, ttlSeconds) {
    entries.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
  },
  async take(key) {
    const entry = entries.get(key);
    entries.delete(key);
    return entry && entry.expiresAt > Date.now() ? entry.value : null;
  },
};

export function getStore(): Store {
  return memoryStore;
}

export function resetStore(): void {
  entries.clear();
}
