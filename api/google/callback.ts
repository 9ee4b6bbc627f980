import { getConfig } from '../../lib/config.js';
import { deadline } from '../../lib/deadline.js';
import { endpoint } from '../../lib/endpoint.js';
import { otherMethods } from '../../lib/other-methods.js';
import { issueExchangeCode } from '../../lib/exchange-codes.js';
import { signInWithGoogle } from '../../lib/google-accounts.js';
import { clearSignInCookie, readSignInCookie, stateMatches } from '../../lib/google-cookie.js';
import { verifyGoogleIdToken } from '../../lib/google-id-token.js';
import { failureCode, GoogleSignInFailure, providerErrorForLog } from '../../lib/google-sign-in-error.js';
import { exchangeGoogleCode, requireGoogle, type ConfiguredGoogle } from '../../lib/google.js';
import { GoogleCallbackQuery } from '../../lib/schemas/google.js';
import { within } from '../../lib/within.js';

/**
 * GET /api/google/callback: where Google sends the browser back. Always a 302 to
 * FRONTEND_CALLBACK_URL, with `?code=<one-time code>` on success or `?error=<short code>`, within
 * GOOGLE_CALLBACK_DEADLINE_MS. 503 (no redirect) when Google sign-in is not configured.
 *
 * Decision: the sign-in cookie is cleared once a callback's `state` matched it, whatever follows
 * (so a flow is completed at most once from this browser), and kept when it did not: a callback
 * that is not this flow's (an older tab's sign-in, whose cookie the newer one replaced; a reload of
 * a stale callback URL; a link some other page sent the browser to) must not end the sign-in the
 * user is in the middle of. Keeping it gives nothing away: it is HttpOnly and encrypted, it
 * expires by itself after 10 minutes, and only a callback carrying its state can use it.
 */
export const GET = endpoint(async (request) => {
  const google = requireGoogle();
  const target = new URL(getConfig().frontendCallbackUrl);
  const flow = { matched: false };
  try {
    // One deadline for the whole sign-in, under the function's maxDuration: Google, the database
    // and Redis each have their own timeouts, but together they could pass it, and the browser
    // would be left on the platform's timeout page instead of coming back to the frontend.
    const limit = deadline('GOOGLE_CALLBACK_DEADLINE_MS', google.callbackDeadlineMs);
    const late = (name: string) => new GoogleSignInFailure('server_error', `no answer within ${name}`);
    target.searchParams.set('code', await within(limit, signIn(request, google, flow), late));
  } catch (error) {
    target.searchParams.set('error', failureCode(error));
  }
  const headers = new Headers({ Location: target.toString() });
  if (flow.matched) headers.set('Set-Cookie', clearSignInCookie(request));
  return new Response(null, { status: 302, headers });
});

export const { OPTIONS, HEAD, POST, PUT, PATCH, DELETE } = otherMethods({ GET });

/**
 * Checks Google's answer against the sign-in cookie, signs the user in: their one-time exchange
 * code. Sets `flow.matched` once the answer's state is the cookie's (the flow is then used up).
 */
async function signIn(request: Request, google: ConfiguredGoogle, flow: { matched: boolean }): Promise<string> {
  const search = new URL(request.url).searchParams;
  // A response parameter sent twice (RFC 6749 3.1 forbids it) is refused, not read one way or
  // the other: `iss=<attacker>&iss=<google>` must not pass the issuer check by its second value.
  if (Object.keys(GoogleCallbackQuery.shape).some((name) => search.getAll(name).length > 1)) {
    throw new GoogleSignInFailure('provider_error', 'a callback parameter appears more than once');
  }
  const query = GoogleCallbackQuery.safeParse(Object.fromEntries(search));
  if (!query.success) throw new GoogleSignInFailure('provider_error', 'callback query parameters out of bounds');
  const params = query.data;
  const cookie = await readSignInCookie(request);
  if (!cookie || !stateMatches(cookie, params.state)) {
    throw new GoogleSignInFailure('invalid_state', 'state missing or not the one in the cookie');
  }
  flow.matched = true;
  // RFC 9207 (mix-up defence): when the response names its issuer, it must be Google's.
  const issuer = params.iss;
  if (issuer !== undefined && !google.issuers.includes(issuer)) {
    // The value stays out of the log: it is the query's, which anyone can write.
    throw new GoogleSignInFailure('provider_error', 'authorization response from an issuer that is not the configured one');
  }
  const providerError = params.error;
  if (providerError) {
    throw new GoogleSignInFailure(providerError === 'access_denied' ? 'access_denied' : 'provider_error', `provider said ${providerErrorForLog(providerError)}`);
  }
  const code = params.code;
  if (!code) throw new GoogleSignInFailure('provider_error', 'no code in the callback');
  const idToken = await exchangeGoogleCode(google, request, code, cookie.codeVerifier);
  const profile = await verifyGoogleIdToken(google, idToken, cookie.nonce);
  const user = await signInWithGoogle(profile);
  return issueExchangeCode(user, cookie.exchangeChallenge);
}
