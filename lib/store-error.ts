// Its own module so that lib/store.ts and its backends can all import it without a cycle.

/** Thrown (or wrapped) whenever Redis cannot be reached/answers an error; handlers turn it into 503 problem+json with Retry-After. */
export class StoreUnavailableError extends Error {
  readonly code = 'STORE_UNAVAILABLE';
  /**
   * Whether the call was sent, so that it may have taken effect though no answer came in time;
   * false when it was refused untried (Redis failed a moment before).
   */
  readonly tried: boolean;
  constructor(message: string, options?: { cause?: unknown; tried?: boolean }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
    this.tried = options?.tried ?? true;
  }
}
