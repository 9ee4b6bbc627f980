import { requestStartedAt } from './background.js';

/**
 * The functions' `maxDuration` in vercel.json (`api/**`), in ms. Vercel ends an invocation there,
 * its `waitUntil` work (mail after the response, a failed upload's clean-up) included, with no
 * log of what was cut off. tests/deadline.test.ts holds the two equal.
 */
export const MAX_DURATION_MS = 10_000;

/**
 * Kept back from every deadline: the start-up Vercel counts before the handler runs (a cold
 * start's imports), and the time to log a failure and answer after a step gives up.
 */
export const RESERVE_MS = 1_000;

/** How long one step may take, and what set that, for its log line. */
export interface Deadline {
  ms: number;
  /** `MAIL_TIMEOUT_MS (8000 ms)`, or `the 3200 ms left of the function's maxDuration (10 s)`. */
  name: string;
}

/**
 * The deadline of one step of this invocation (an SMTP send, an upload, a query): its own
 * setting, or what is left of the invocation's maxDuration less RESERVE_MS when that is sooner.
 * Each step's setting fits the maxDuration on its own; this keeps steps that come late in an
 * invocation (after a slow query, a mail sent after a write that timed out) inside it together.
 * Outside a request (scripts) only the setting applies.
 *
 * @example const { ms, name } = deadline('MAIL_TIMEOUT_MS', config.mail.timeoutMs);
 */
export function deadline(setting: string, settingMs: number): Deadline {
  const startedAt = requestStartedAt();
  const leftMs = startedAt === undefined ? Infinity : Math.floor(startedAt + MAX_DURATION_MS - RESERVE_MS - performance.now());
  if (leftMs >= settingMs) return { ms: settingMs, name: `${setting} (${settingMs} ms)` };
  // At least 1 ms: a timer of 0 would still run the step for a turn; this one gives up on the next.
  const ms = Math.max(1, leftMs);
  return { ms, name: `the ${ms} ms left of the function's maxDuration (${MAX_DURATION_MS / 1000} s)` };
}
