import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { answerFirst, runAfterResponse, settleBackground } from '../lib/background.js';
import { isDatabaseUnavailable, neverRan } from '../lib/db/unavailable.js';
import { deadline, MAX_DURATION_MS, MIN_STEP_MS, OutOfTimeError, RESERVE_MS, type Deadline } from '../lib/deadline.js';
import { within } from '../lib/within.js';

describe('deadline()', () => {
  it("counts from vercel.json's maxDuration for the functions", () => {
    const { functions } = JSON.parse(readFileSync(new URL('../vercel.json', import.meta.url), 'utf8')) as { functions: Record<string, { maxDuration: number }> };
    expect(Object.keys(functions)).toEqual(['api/**/*.ts']);
    expect(functions['api/**/*.ts']!.maxDuration * 1000).toBe(MAX_DURATION_MS);
  });

  it('is the setting outside a request (scripts) and early in one', async () => {
    expect(deadline('MAIL_TIMEOUT_MS', 8_000)).toEqual({ ms: 8_000, name: 'MAIL_TIMEOUT_MS (8000 ms)' });
    expect(await answerFirst(async () => deadline('MAIL_TIMEOUT_MS', 8_000))).toEqual({ ms: 8_000, name: 'MAIL_TIMEOUT_MS (8000 ms)' });
  });

  it('is the time left of maxDuration, less the reserve, once that is sooner: in the request, in a nested one, and after the response', async () => {
    const startedAt = performance.now() - 7_000; // 3 s of the 10 left, 2 s of them to spend
    const seen: Deadline[] = [];
    await answerFirst(async () => {
      seen.push(deadline('CLOUDINARY_TIMEOUT_MS', 8_000));
      seen.push(await answerFirst(async () => deadline('CLOUDINARY_TIMEOUT_MS', 8_000))); // endpoint() inside a wrapper
      runAfterResponse('reads its deadline', async () => void seen.push(deadline('MAIL_TIMEOUT_MS', 8_000)));
    }, startedAt);
    await settleBackground();
    expect(seen).toHaveLength(3);
    for (const { ms, name } of seen) {
      expect(ms).toBeLessThanOrEqual(MAX_DURATION_MS - RESERVE_MS - 7_000);
      expect(ms).toBeGreaterThan(1_000); // not yet near the end: the time spent here is small
      expect(name).toBe(`the ${ms} ms left of the function's maxDuration (10 s)`);
    }
    // No maxDuration (the dev server's invocations): the setting, however long the request has run.
    expect(await answerFirst(async () => answerFirst(async () => deadline('MAIL_TIMEOUT_MS', 8_000)), Infinity)).toEqual({ ms: 8_000, name: 'MAIL_TIMEOUT_MS (8000 ms)' });
    // A setting shorter than what is left still applies.
    expect(await answerFirst(async () => deadline('REDIS', 800), startedAt)).toEqual({ ms: 800, name: 'REDIS (800 ms)' });
  });

  it('refuses to start a step once under MIN_STEP_MS are left (OutOfTimeError, which never ran), and within() rejects with its name', async () => {
    const outOfTime = await answerFirst(async () => {
      try {
        deadline('MAIL_TIMEOUT_MS', 8_000);
      } catch (error) {
        return error;
      }
    }, performance.now() - (MAX_DURATION_MS - RESERVE_MS - MIN_STEP_MS + 10));
    expect(outOfTime).toBeInstanceOf(OutOfTimeError);
    expect(String(outOfTime)).toMatch(/^OutOfTimeError: not started \(MAIL_TIMEOUT_MS\): [0-4]\d ms left of its deadline, under the 50 ms a step is given at least$/);
    expect(isDatabaseUnavailable(outOfTime)).toBe(true);
    expect(neverRan(outOfTime)).toBe(true);

    const last = await answerFirst(async () => deadline('MAIL_TIMEOUT_MS', 8_000), performance.now() - (MAX_DURATION_MS - RESERVE_MS - 200));
    expect(last.ms).toBeGreaterThanOrEqual(MIN_STEP_MS);
    expect(last.ms).toBeLessThanOrEqual(200);
    const never = new Promise<never>(() => {});
    await expect(within(last, never, (name) => new Error(`no answer within ${name}`))).rejects.toThrow(`no answer within the ${last.ms} ms left of the function's maxDuration (10 s)`);
  });

  it('within() leaves no timer behind once the work has settled (a pending one would hold a script or a function open for the whole deadline)', async () => {
    vi.useFakeTimers();
    try {
      const limit = deadline('CLOUDINARY_TIMEOUT_MS', 8_000);
      await expect(within(limit, Promise.resolve(1), () => new Error('late'))).resolves.toBe(1);
      await expect(within(limit, Promise.reject(new Error('refused')), () => new Error('late'))).rejects.toThrow('refused');
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
