/**
 * `work`, or a rejection with `late()` once `ms` have passed without it settling. For work that
 * cannot be cancelled (or whose own timeouts do not bound it as a whole), so that a function still
 * answers inside its maxDuration. The work itself is left to finish or fail on its own; its result,
 * if one ever comes, is ignored (a rejection then is handled here, not left unhandled).
 *
 * `late` names the deadline the caller was given (its variable), for the log.
 *
 * @example await within(8_000, upload, () => new Error('no answer within CLOUDINARY_TIMEOUT_MS (8000 ms)'));
 */
export function within<T>(ms: number, work: Promise<T>, late: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
