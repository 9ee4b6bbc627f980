import type { Deadline } from './deadline.js';

/**
 * `work`, or a rejection with `late(limit.name)` once `limit.ms` have passed without it settling.
 * For work that cannot be cancelled (or whose own timeouts do not bound it as a whole), so that a
 * function still answers inside its maxDuration. The work itself is left to finish or fail on its
 * own; its result, if one ever comes, is ignored (a rejection then is handled here, not left
 * unhandled).
 *
 * @example await within(deadline('CLOUDINARY_TIMEOUT_MS', 8_000), upload, (name) => new Error(`no answer within ${name}`));
 */
export function within<T>(limit: Deadline, work: Promise<T>, late: (name: string) => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late(limit.name)), limit.ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
