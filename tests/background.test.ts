import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
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
