import { randomBytes } from 'node:crypto';
import { Redis as IORedis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { createMemoryStore } from '../lib/memory-store.js';
import { createRedisStore } from '../lib/redis-store.js';
import type { Store } from '../lib/store.js';
import { defineStoreContract } from './store-contract.js';
import { redisAvailable, REDIS_URL } from './support/services.js';
import { startUpstashRest } from './support/upstash-rest.js';

const memory = createMemoryStore('test:');
defineStoreContract('in-process', true, () => memory, async () => memory.keys());

const withRedis = await redisAvailable();
const prefix = `test-${randomBytes(6).toString('hex')}:`;
const redis = new IORedis(REDIS_URL, { lazyConnect: true });
let redisStore: Store;
let close = async () => {};
beforeAll(async () => {
  if (!withRedis) return;
  const rest = await startUpstashRest();
  await redis.connect();
  close = async () => {
    await rest.close();
    await redis.quit();
  };
  redisStore = createRedisStore({ url: rest.url, token: rest.token, prefix, timeoutMs: 2_000 });
});
afterAll(() => close());
defineStoreContract('Upstash REST on Redis', withRedis, () => redisStore, () => redis.keys(`${prefix}*`));
