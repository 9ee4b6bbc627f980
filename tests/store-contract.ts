import { describe, expect, it } from 'vitest';
import { freshWindow } from './support/windows.js';
import type { Store } from '../lib/store.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let n = 0;
const fresh = (label: string) => `${label}:${Date.now().toString(36)}:${n++}`;

/**
 * The behaviour every Store backend must share. Runs against the in-process store and against
 * the real @upstash/redis + @upstash/ratelimit on Redis (through tests/support/upstash-rest.ts).
 * `keys` lists every key the backend holds now (prefix included), as Redis's KEYS does.
 */
export function defineStoreContract(name: string, enabled: boolean, store: () => Store, keys: () => Promise<string[]>): void {
  describe.skipIf(!enabled)(`store contract: ${name}`, () => {
    it('take returns a value once, then null; put replaces; digit-only values stay strings', async () => {
      const key = fresh('k');
      expect(await store().take(key)).toBeNull();
      await store().put(key, 'first', 60);
      await store().put(key, '012345', 60);
      expect(await store().take(key)).toBe('012345');
      expect(await store().take(key)).toBeNull();
      // Also values that are valid JSON numbers (a client that deserialised replies would answer 123456).
      for (const value of ['123456', '1700000000000:0:0', '42']) {
        await store().put(key, value, 60);
        expect(await store().take(key)).toBe(value);
      }
    });

    it('forgets a value after its ttl', async () => {
      const key = fresh('ttl');
      await store().put(key, 'v', 1);
      await sleep(1_300);
      expect(await store().take(key)).toBeNull();
    });

    it('gives a value to exactly one of 20 concurrent takes', async () => {
      const key = fresh('race');
      await store().put(key, 'prize', 60);
      const results = await Promise.all(Array.from({ length: 20 }, () => store().take(key)));
      expect(results.filter((r) => r === 'prize')).toHaveLength(1);
      expect(results.filter((r) => r === null)).toHaveLength(19);
    });

    it('checks a code without consuming it, then consumes it once', async () => {
      const key = fresh('code');
      await store().putCode(key, 'right', 60);
      expect(await store().checkCode(key, 'right', { maxWrongTries: 5 })).toBe('ok');
      expect(await store().takeCode(key, 'right')).toBe('ok');
      expect(await store().takeCode(key, 'right')).toBe('missing');
    });

    it('counts no try for a wrong digest when countWrong is false', async () => {
      const key = fresh('look');
      await store().putCode(key, 'right', 60);
      for (let i = 0; i < 10; i++) expect(await store().checkCode(key, 'wrong', { maxWrongTries: 5, countWrong: false })).toBe('wrong');
      expect(await store().checkCode(key, 'right', { maxWrongTries: 5, countWrong: false })).toBe('ok');
      for (let i = 0; i < 4; i++) expect(await store().checkCode(key, 'wrong', { maxWrongTries: 5 })).toBe('wrong');
      expect(await store().takeCode(key, 'right')).toBe('ok');
    });

    it('voids a code at the fifth wrong try, and a new code starts with no tries', async () => {
      const key = fresh('tries');
      await store().putCode(key, 'right', 60);
      for (let i = 0; i < 4; i++) expect(await store().checkCode(key, 'wrong', { maxWrongTries: 5 })).toBe('wrong');
      expect(await store().checkCode(key, 'right', { maxWrongTries: 5 })).toBe('ok');
      expect(await store().checkCode(key, 'wrong', { maxWrongTries: 5 })).toBe('wrong');
      expect(await store().takeCode(key, 'right')).toBe('missing');

      await store().putCode(key, 'old', 60);
      for (let i = 0; i < 4; i++) await store().checkCode(key, 'wrong', { maxWrongTries: 5 });
      await store().putCode(key, 'new', 60);
      expect(await store().checkCode(key, 'old', { maxWrongTries: 5 })).toBe('wrong');
      expect(await store().takeCode(key, 'new')).toBe('ok');
    });

    it('takes a code once, counting no wrong take; a restore makes it live again with its tries', async () => {
      const key = fresh('restore');
      await store().putCode(key, 'right', 60);
      for (let i = 0; i < 3; i++) await store().checkCode(key, 'wrong', { maxWrongTries: 5 });
      for (let i = 0; i < 10; i++) expect(await store().takeCode(key, 'wrong')).toBe('wrong');
      expect(await store().takeCode(key, 'right')).toBe('ok');
      expect(await store().takeCode(key, 'right')).toBe('missing');
      expect(await store().checkCode(key, 'right', { maxWrongTries: 5 })).toBe('missing');
      expect(await store().checkCode(key, 'wrong', { maxWrongTries: 5 })).toBe('missing'); // counts nothing while taken
      await store().restoreCode(key, 'wrong'); // not this code: nothing happens
      expect(await store().checkCode(key, 'right', { maxWrongTries: 5 })).toBe('missing');
      await store().restoreCode(key, 'right');
      // Back with its 3 wrong tries: the fifth in all voids it.
      expect(await store().checkCode(key, 'wrong', { maxWrongTries: 5 })).toBe('wrong');
      expect(await store().checkCode(key, 'right', { maxWrongTries: 5 })).toBe('ok');
      expect(await store().checkCode(key, 'wrong', { maxWrongTries: 5 })).toBe('wrong');
      expect(await store().checkCode(key, 'right', { maxWrongTries: 5 })).toBe('missing');
      await store().restoreCode(key, 'right'); // voided, not taken: it stays gone
      expect(await store().checkCode(key, 'right', { maxWrongTries: 5 })).toBe('missing');
    });

    it('never restores a code over a newer one: replaced, replaced and used, or replaced and voided', async () => {
      const cases: [string, (key: string) => Promise<void>][] = [
        ['replaced', async () => {}],
        ['used', async (key) => void (await store().takeCode(key, 'new'))],
        ['voided', async (key) => void (await Promise.all(Array.from({ length: 5 }, () => store().checkCode(key, 'bad', { maxWrongTries: 5 }))))],
      ];
      for (const [label, then] of cases) {
        const key = fresh(`restore-${label}`);
        await store().putCode(key, 'old', 60);
        expect(await store().takeCode(key, 'old')).toBe('ok');
        await store().putCode(key, 'new', 60);
        await then(key);
        await store().restoreCode(key, 'old');
        expect([label, await store().checkCode(key, 'old', { maxWrongTries: 5, countWrong: false })]).toEqual([label, label === 'replaced' ? 'wrong' : 'missing']);
        expect([label, await store().takeCode(key, 'new')]).toEqual([label, label === 'replaced' ? 'ok' : 'missing']);
      }
    });

    it('restores a code with its original expiry, never a longer one', async () => {
      const key = fresh('restore-ttl');
      await store().putCode(key, 'right', 2);
      await sleep(1_000);
      expect(await store().takeCode(key, 'right')).toBe('ok');
      await store().restoreCode(key, 'right');
      expect(await store().checkCode(key, 'right', { maxWrongTries: 5 })).toBe('ok');
      await sleep(1_300); // past the original two seconds
      expect(await store().checkCode(key, 'right', { maxWrongTries: 5 })).toBe('missing');
      await store().restoreCode(key, 'right'); // its life is over: nothing comes back
      expect(await store().checkCode(key, 'right', { maxWrongTries: 5 })).toBe('missing');
    });

    it('lets exactly one of 30 concurrent consumers have a code, and expires codes', async () => {
      const key = fresh('code-race');
      await store().putCode(key, 'right', 60);
      const results = await Promise.all(
        Array.from({ length: 30 }, () => store().takeCode(key, 'right')),
      );
      expect(results.filter((r) => r === 'ok')).toHaveLength(1);
      const short = fresh('code-ttl');
      await store().putCode(short, 'right', 1);
      await sleep(1_300);
      expect(await store().takeCode(short, 'right')).toBe('missing');
    });

    it('lets exactly N of 100 concurrent hits through a limit of N, with the window end', async () => {
      const key = fresh('limit');
      const rule = { limit: 7, windowMs: 60_000 };
      await freshWindow(rule.windowMs);
      const before = Date.now();
      const results = await Promise.all(Array.from({ length: 100 }, () => store().hit(key, rule)));
      expect(results.filter((r) => r.success)).toHaveLength(7);
      const refused = results.find((r) => !r.success)!;
      expect(refused).toMatchObject({ limit: 7, remaining: 0 });
      expect(refused.reset).toBeGreaterThan(before);
      expect(refused.reset).toBeLessThanOrEqual(before + 60_000 + 1_000);
      expect(await store().peek(key, rule)).toMatchObject({ success: false, remaining: 0 });
    });

    it('gives a slot back, never below 0', async () => {
      const key = fresh('refund');
      const rule = { limit: 2, windowMs: 60_000 };
      await freshWindow(rule.windowMs);
      const first = await store().hit(key, rule);
      expect(first.success).toBe(true);
      expect((await store().hit(key, rule)).success).toBe(true);
      expect((await store().hit(key, rule)).success).toBe(false);
      await store().giveBack(key, rule, first.reset);
      expect(await store().peek(key, rule)).toMatchObject({ success: true, remaining: 1 });
      for (let i = 0; i < 4; i++) await store().giveBack(key, rule, first.reset); // more than was taken
      expect((await store().hit(key, rule)).success).toBe(true);
      expect((await store().hit(key, rule)).success).toBe(true);
      expect((await store().hit(key, rule)).success).toBe(false); // 2, not 2 + the surplus
      await store().giveBack(fresh('never-hit'), rule, first.reset); // nothing there: no error, no bucket
    });

    it('keeps nothing for a window given back to 0, and counts afresh after', async () => {
      const key = fresh('emptied');
      const rule = { limit: 3, windowMs: 60_000 };
      await freshWindow(rule.windowMs);
      const bucketsOf = async () => (await keys()).filter((k) => k.includes(`rl:${key}:`));
      const first = await store().hit(key, rule);
      await store().hit(key, rule);
      await store().giveBack(key, rule, first.reset);
      expect(await bucketsOf()).toHaveLength(1);
      await store().giveBack(key, rule, first.reset);
      expect(await bucketsOf()).toEqual([]);
      expect(await store().hit(key, rule)).toMatchObject({ success: true, remaining: 2 });
      expect(await bucketsOf()).toHaveLength(1);
    });

    it('gives a slot back to the window it was counted in, also after that window has ended', async () => {
      // Five slots taken just before a window's end and given back just after it: the new window
      // then has exactly its 5, neither 10 (a refund into the new window's bucket, below 0) nor
      // about 0 (a refund lost, the old window's count still weighing on the new one).
      const key = fresh('boundary');
      const rule = { limit: 5, windowMs: 2_000 };
      await freshWindow(rule.windowMs, 1_000);
      const slots = [];
      for (let i = 0; i < 5; i++) slots.push(await store().hit(key, rule));
      expect(slots.every((slot) => slot.success)).toBe(true);
      await sleep(slots[0]!.reset - Date.now() + 30);
      for (const slot of slots) await store().giveBack(key, rule, slot.reset);
      const next = [];
      for (let i = 0; i < 7; i++) next.push((await store().hit(key, rule)).success);
      expect(next).toEqual([true, true, true, true, true, false, false]);
    });

    it('peek does not count; hits count down remaining; other keys are separate', async () => {
      const key = fresh('peek');
      const rule = { limit: 3, windowMs: 60_000 };
      await freshWindow(rule.windowMs);
      for (let i = 0; i < 5; i++) expect(await store().peek(key, rule)).toMatchObject({ success: true, remaining: 3 });
      expect((await store().hit(key, rule)).remaining).toBe(2);
      expect((await store().hit(key, rule)).remaining).toBe(1);
      expect(await store().hit(key, rule)).toMatchObject({ success: true, remaining: 0 });
      expect((await store().hit(key, rule)).success).toBe(false);
      expect((await store().hit(fresh('other'), rule)).success).toBe(true);
    });

    it('opens the window again once it has passed', async () => {
      const key = fresh('slide');
      const rule = { limit: 2, windowMs: 1_000 };
      await freshWindow(rule.windowMs, 600);
      await store().hit(key, rule);
      await store().hit(key, rule);
      expect((await store().hit(key, rule)).success).toBe(false);
      await sleep(2_100); // past the current and the weighted previous window
      expect((await store().hit(key, rule)).success).toBe(true);
    });
  });
}
