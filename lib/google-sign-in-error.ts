import type { GoogleSignInError } from './schemas/google.js';

/**
 * Why a Google sign-in failed. The callback sends `code` to the frontend as `?error=<code>`;
 * the message stays in the server log and never reaches the browser.
 */
export class GoogleSignInFailure extends Error {
  constructor(
    readonly code: GoogleSignInError,
    message: string = code,
  ) {
    super(message);
    this.name = 'GoogleSignInFailure';
  }
}
