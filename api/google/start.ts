import { endpoint } from '../../lib/endpoint.js';
import { otherMethods } from '../../lib/other-methods.js';
import { signInCookie } from '../../lib/google-cookie.js';
import { generateCodeVerifier, generateState, googleAuthorizationUrl, requireGoogle } from '../../lib/google.js';

/**
 * GET /api/google/start: begins "Sign in with Google". A fresh `state`, PKCE verifier and
 * `nonce` go into an encrypted, HttpOnly 10-minute cookie, and the browser is sent to Google.
 * 503 when Google sign-in is not configured.
 */
export const GET = endpoint(async (request) => {
  const google = requireGoogle();
  const flow = { state: generateState(), codeVerifier: generateCodeVerifier(), nonce: generateState() };
  return new Response(null, {
    status: 302,
    headers: {
      Location: googleAuthorizationUrl(google, request, flow).toString(),
      'Set-Cookie': await signInCookie(request, flow),
    },
  });
});

export const { OPTIONS, HEAD, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
