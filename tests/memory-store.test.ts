import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../lib/memory-store.js';

// The in-process store with its own clock: the timing rules the shared contract (store-contract.ts)
// cannot drive on Redis.
describe('the in-process store, on a clock of its own', () => {
  it('limits by a sliding window: the previous window counts by how much of it still overlaps', async () => {
    let t = 100;
    const store = createMemoryStore('p:', () => t);
    const rule = { limit: 2, windowMs: 1000 };
    expect([(await store.hit('k', rule)).success, (await store.hit('k', rule)).success, (await store.hit('k', rule)).success]).toEqual([true, true, false]);
    t = 1200; // 80% of the previous window still overlaps: 2 × 0.8 = 1.6, counted as 1
    expect([(await store.hit('k', rule)).success, (await store.hit('k', rule)).success]).toEqual([true, false]);
    t = 2950; // the previous window (1000–1999: one hit) overlaps 5%, the one before not at all
    expect([(await store.hit('k', rule)).success, (await store.hit('k', rule)).success, (await store.hit('k', rule)).success]).toEqual([true, true, false]);
  });

  it("keeps a code's expiry when a wrong guess counts", async () => {
    let t = 0;
    const store = createMemoryStore('p:', () => t);
    await store.putCode('c', 'right', 10);
    t = 9_000;
    expect(await store.checkCode('c', 'wrong', { maxWrongTries: 5 })).toBe('wrong');
    t = 10_001;
    expect(await store.takeCode('c', 'right')).toBe('missing');
  });
});
