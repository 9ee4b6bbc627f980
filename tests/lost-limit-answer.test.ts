import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { settleBackground } from '../lib/background.js';
import { resetConfig } from '../lib/config.js';
import { reserveSlot } from '../lib/rate-limit.js';
import { getStore, resetStore, StoreUnavailableError } from '../lib/store.js';

const HOUR = 3_600_000;

// In-process store on a faked clock; a store call whose answer is lost is played by a spy.
describe('a reservation whose answer was lost', () => {
  beforeAll(() => {
    process.env.RATE_LIMIT_LOGIN_ACCOUNT = '2/1h';
    resetConfig();
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  /** Reserves once, the call failing as `failure` after the clock moved on `lateMs`; answers the give-backs it caused. */
  async function reserveLost(subject: string, failure: StoreUnavailableError, lateMs: number) {
    const store = getStore();
    vi.spyOn(store, 'hit').mockImplementationOnce(async () => {
      vi.setSystemTime(Date.now() + lateMs); // the answer comes late, maybe in the next window
      throw failure;
    });
    const giveBack = vi.spyOn(store, 'giveBack');
    await expect(reserveSlot('loginAccount', subject)).rejects.toBe(failure);
    await settleBackground();
    return giveBack.mock.calls;
  }

  it('is given back after the response, to the window the request was sent in', async () => {
    const start = (Math.floor(Date.now() / HOUR) + 2) * HOUR;
    vi.useFakeTimers({ toFake: ['Date'], now: start + HOUR - 200 }); // sent just before the window's end
    resetStore();
    for (let i = 0; i < 2; i++) await reserveSlot('loginAccount', 'ada'); // the limit is spent
    const calls = await reserveLost('ada', new StoreUnavailableError('redis rate limit failed: timed out'), 500);
    expect(calls.map(([, , reset]) => reset)).toEqual([start + HOUR]);
    vi.setSystemTime(start + HOUR - 100); // back in that window: the slot given back is free again
    await expect(reserveSlot('loginAccount', 'ada')).resolves.toEqual({ reset: start + HOUR });
  });

  it('is not given back when the call was refused untried (it counted nothing)', async () => {
    resetStore();
    const calls = await reserveLost('grace', new StoreUnavailableError('redis rate limit not tried', { tried: false }), 0);
    expect(calls).toEqual([]);
  });
});
