import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { runAfterResponse, settleBackground } from '../lib/background.js';
import { endpoint } from '../lib/endpoint.js';

describe('runAfterResponse inside endpoint()', () => {
  it('starts a task only after the handler has answered, even if the handler keeps awaiting', async () => {
    const events: string[] = [];
    const handler = endpoint(async () => {
      runAfterResponse('test task', async () => {
        events.push('task');
      });
      // Several turns of the event loop after scheduling (like signing a token with WebCrypto).
      await sleep(20);
      events.push('answered');
      return new Response('{}', { headers: { 'content-type': 'application/json' } });
    });
    const response = await handler(new Request('http://localhost/api/x'));
    events.push('caller has response');
    expect(response.status).toBe(200);
    await settleBackground();
    expect(events).toEqual(['answered', 'caller has response', 'task']);
  });

  it("hands each task to Vercel's waitUntil before the answer is returned", async () => {
    // The request context the Vercel runtime provides, read by @vercel/functions' waitUntil.
    const context = Symbol.for('@vercel/request-context');
    const handedOver: Promise<unknown>[] = [];
    (globalThis as Record<symbol, unknown>)[context] = { get: () => ({ waitUntil: (p: Promise<unknown>) => void handedOver.push(p) }) };
    try {
      // Fresh modules: the first task of a cold function is the one whose hand-over must be waited for.
      vi.resetModules();
      const fresh = { ...(await import('../lib/endpoint.js')), ...(await import('../lib/background.js')) };
      let done = false;
      const handler = fresh.endpoint(async () => {
        fresh.runAfterResponse('test task', async () => {
          done = true;
        });
        return new Response('{}', { headers: { 'content-type': 'application/json' } });
      });
      const response = await handler(new Request('http://localhost/api/x'));
      expect(response.status).toBe(200);
      expect(handedOver).toHaveLength(1);
      expect(done).toBe(false);
      await handedOver[0];
      expect(done).toBe(true);
    } finally {
      delete (globalThis as Record<symbol, unknown>)[context];
    }
  });

  it('still runs the task when the handler fails, and logs a failing task without touching the answer', async () => {
    const events: string[] = [];
    const handler = endpoint(async () => {
      runAfterResponse('first', async () => void events.push('first'));
      runAfterResponse('second', async () => {
        throw new Error('boom');
      });
      throw new Error('handler failed');
    });
    const errors: string[] = [];
    const original = console.error;
    console.error = (message: string) => void errors.push(message);
    try {
      const response = await handler(new Request('http://localhost/api/x'));
      expect(response.status).toBe(500);
      expect(events).toEqual([]);
      await settleBackground();
    } finally {
      console.error = original;
    }
    expect(events).toEqual(['first']);
    expect(errors.some((e) => e.includes('second failed: boom'))).toBe(true);
  });
});

describe('runAfterResponse outside a request', () => {
  it('starts the task on the next turn of the event loop, not before the caller has run on', async () => {
    const events: string[] = [];
    runAfterResponse('test task', async () => void events.push('task'));
    // The caller's own awaits (microtasks) come first; the task waits for the next macrotask.
    for (let i = 0; i < 10; i++) await Promise.resolve();
    events.push('caller');
    await settleBackground();
    expect(events).toEqual(['caller', 'task']);
  });

  it('settleBackground also waits for the tasks a task starts', async () => {
    let innerDone = false;
    runAfterResponse('outer', async () => {
      runAfterResponse('inner', async () => {
        await sleep(20);
        innerDone = true;
      });
    });
    await settleBackground();
    expect(innerDone).toBe(true);
  });
});

describe('a failing hand-over to waitUntil', () => {
  it('is logged with the task label, and neither the answer nor the task is lost', async () => {
    const context = Symbol.for('@vercel/request-context');
    (globalThis as Record<symbol, unknown>)[context] = {
      get: () => ({
        waitUntil: () => {
          throw new Error('context gone');
        },
      }),
    };
    const errors: string[] = [];
    const original = console.error;
    console.error = (message: string) => void errors.push(message);
    let done = false;
    try {
      const handler = endpoint(async () => {
        runAfterResponse('test task', async () => {
          done = true;
        });
        return new Response('{}', { headers: { 'content-type': 'application/json' } });
      });
      const response = await handler(new Request('http://localhost/api/x'));
      expect(response.status).toBe(200);
      await settleBackground();
    } finally {
      console.error = original;
      delete (globalThis as Record<symbol, unknown>)[context];
    }
    expect(done).toBe(true);
    expect(errors).toContain('test task: waitUntil failed: context gone');
  });
});
