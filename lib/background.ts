import { waitUntil } from '@vercel/functions';

const pending = new Set<Promise<void>>();

/**
 * Runs work after the response, such as sending a mail, so that its duration (and whether it
 * happens at all) does not show in the response time. On Vercel `waitUntil` keeps the function
 * alive until it settles; elsewhere `waitUntil` is a no-op (no request context), the promise simply
 * runs on, and `settleBackground` lets the dev server and tests wait for it. Failures are logged.
 *
 * @example runAfterResponse('password reset mail', () => sendMail(message));
 */
export function runAfterResponse(label: string, task: () => Promise<unknown>): void {
  // Started on the next turn of the event loop, once the handler has returned its response.
  const run: Promise<void> = new Promise((started) => setImmediate(started))
    .then(task)
    .then(
      () => undefined,
      (error: unknown) => console.error(`${label} failed: ${error instanceof Error ? error.message : String(error)}`),
    )
    .finally(() => pending.delete(run));
  pending.add(run);
  waitUntil(run);
}

/** Resolves once every task started by `runAfterResponse` (including ones they start) has settled. */
export async function settleBackground(): Promise<void> {
  while (pending.size > 0) await Promise.allSettled([...pending]);
}
