import { AsyncLocalStorage } from 'node:async_hooks';
import { waitUntil } from '@vercel/functions';

const pending = new Set<Promise<void>>();

/** Per request (set by `endpoint()`): resolves once the handler's response is ready. */
const answered = new AsyncLocalStorage<Promise<void>>();

/**
 * Runs work after the response, such as sending a mail, so that its duration (and whether it
 * happens at all) does not show in the response time. Inside `endpoint()` the task starts only once
 * the handler has returned its response (then on the next turn of the event loop), however much
 * the handler still awaits after scheduling it; outside a request it starts on the next turn.
 * On Vercel `waitUntil` keeps the function alive until it settles; elsewhere `waitUntil` is a no-op
 * (no request context), the promise simply runs on, and `settleBackground` lets the dev server and
 * tests wait for it. Failures are logged.
 *
 * @example runAfterResponse('password reset mail', () => sendMail(message));
 */
export function runAfterResponse(label: string, task: () => Promise<unknown>): void {
  const start = answered.getStore() ?? new Promise<void>((started) => setImmediate(started));
  const run: Promise<void> = start
    .then(task)
    .then(
      () => undefined,
      (error: unknown) => console.error(`${label} failed: ${error instanceof Error ? error.message : String(error)}`),
    )
    .finally(() => pending.delete(run));
  pending.add(run);
  waitUntil(run);
}

/**
 * Runs `handler` so that the tasks it hands to `runAfterResponse` wait for its answer: they start
 * on the turn of the event loop after `handler` settled (answered or threw).
 */
export async function answerFirst<T>(handler: () => Promise<T>): Promise<T> {
  let release!: () => void;
  const gate = new Promise<void>((open) => (release = open));
  try {
    return await answered.run(gate, handler);
  } finally {
    setImmediate(release);
  }
}

/** Resolves once every task started by `runAfterResponse` (including ones they start) has settled. */
export async function settleBackground(): Promise<void> {
  while (pending.size > 0) await Promise.allSettled([...pending]);
}
