import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { createMemoryStore } from '../lib/memory-store.js';
import { createRedisStore } from '../lib/redis-store.js';
import type { Store } from '../lib/store.js';
import { defineStoreContract } from './store-contract.js';
import { redisAvailable } from './support/services.js';
import { startUpstashRest } from './support/upstash-rest.js';

const memory = createMemoryStore('test:');
defineStoreContract('in-process', true, () => memory);

const withRedis = await redisAvailable();
let redisStore: Store;
let close = async () => {};
beforeAll(async () => {
  if (!withRedis) return;
  const rest = await startUpstashRest();
  close = rest.close;
  redisStore = createRedisStore({ url: rest.url, token: rest.token, prefix: `test-${randomBytes(6).toString('hex')}:`, timeoutMs: 2_000 });
});
afterAll(() => close());
defineStoreContract('Upstash REST on Redis', withRedis, () => redisStore);
