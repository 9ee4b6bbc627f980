import { endpoint } from '../../lib/endpoint.js';
import { otherMethods } from '../../lib/other-methods.js';
import { signInCookie } from '../../lib/google-cookie.js';
import { generateCodeVerifier, generateState, googleAuthorizationUrl, requireGoogle, startHostFor } from '../../lib/google.js';
import { GoogleStartQuery } from '../../lib/schemas/google.js';
import { parseQuery } from '../../lib/validate.js';

/**
 * GET /api/google/start: begins "Sign in with Google". A fresh `state`, PKCE verifier and
 * `nonce` go into an encrypted, HttpOnly 10-minute cookie, and the browser is sent to Google.
 * The frontend's optional `code_challenge` rides along in the cookie, then in the one-time code,
 * which then works only with its verifier (422 for a malformed one).
 * Requested on another host than GOOGLE_REDIRECT_URI's, it first sends the browser to itself on
 * that host, where the cookie must live. 503 when Google sign-in is not configured.
 */
export const GET = endpoint(async (request) => {
  const google = requireGoogle();
  const query = parseQuery(GoogleStartQuery, request);
  const there = startHostFor(google, request);
  if (there) return new Response(null, { status: 302, headers: { Location: there.toString() } });
  const flow = { state: generateState(), codeVerifier: generateCodeVerifier(), nonce: generateState(), exchangeChallenge: query.code_challenge };
  return new Response(null, {
    status: 302,
    headers: {
      Location: googleAuthorizationUrl(google, request, flow).toString(),
      'Set-Cookie': await signInCookie(request, flow),
    },
  });
});

export const { OPTIONS, HEAD, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
