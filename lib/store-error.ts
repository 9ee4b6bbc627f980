// Its own module so that lib/store.ts and its backends can all import it without a cycle.

/** Thrown (or wrapped) whenever Redis cannot be reached/answers an error; handlers turn it into 503 problem+json with Retry-After. */
export class StoreUnavailableError extends Error {
  readonly code = 'STORE_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
