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

/**
 * Below this much time left a step is not started at all (`OutOfTimeError`): it could only time
 * out, and a query or an upload sent and then abandoned may still take effect, where one never
 * sent certainly does not.
 */
export const MIN_STEP_MS = 50;

/** How long one step may take, and what set that, for its log line. */
export interface Deadline {
  ms: number;
  /** `MAIL_TIMEOUT_MS (8000 ms)`, or `the 3200 ms left of the function's maxDuration (10 s)`. */
  name: string;
}

/**
 * A step that was not started: under MIN_STEP_MS were left of its deadline (of the invocation's
 * maxDuration, or of a query's own after a wait for a connection). It never ran.
 */
export class OutOfTimeError extends Error {
  /** For `neverRan` and `isDatabaseUnavailable` (lib/db/unavailable.ts), which look at codes. */
  readonly code = 'OUT_OF_TIME';
  constructor(setting: string, leftMs: number) {
    super(`not started (${setting}): ${Math.max(0, leftMs)} ms left of its deadline, under the ${MIN_STEP_MS} ms a step is given at least`);
    this.name = 'OutOfTimeError';
  }
}

/**
 * The deadline of one step of this invocation (an SMTP send, an upload, a query): its own
 * setting, or what is left of the invocation's maxDuration less RESERVE_MS when that is sooner.
 * Each step's setting fits the maxDuration on its own; this keeps steps that come late in an
 * invocation (after a slow query, a mail sent after a write that timed out) inside it together.
 * Throws OutOfTimeError, before the step starts, when under MIN_STEP_MS are left. Outside a
 * request (scripts) only the setting applies.
 *
 * @example const { ms, name } = deadline('MAIL_TIMEOUT_MS', config.mail.timeoutMs);
 */
export function deadline(setting: string, settingMs: number): Deadline {
  const startedAt = requestStartedAt();
  const leftMs = startedAt === undefined ? Infinity : Math.floor(startedAt + MAX_DURATION_MS - RESERVE_MS - performance.now());
  if (leftMs >= settingMs) return { ms: settingMs, name: `${setting} (${settingMs} ms)` };
  if (leftMs < MIN_STEP_MS) throw new OutOfTimeError(setting, leftMs);
  return { ms: leftMs, name: `the ${leftMs} ms left of the function's maxDuration (${MAX_DURATION_MS / 1000} s)` };
}
