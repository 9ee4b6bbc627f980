// arctic's index re-exports its 60-odd providers; only the generic client and its request helpers
// are used here, taken from their own files (arctic has no `exports` map, so these paths are
// reachable; `npm run vendor` fails if a new arctic version moves them) into vendor/arctic.
import type { OAuth2Tokens } from 'arctic/dist/oauth2.js';
import { ArcticFetchError, CodeChallengeMethod, createOAuth2Request, encodeBasicCredentials, OAuth2Client, OAuth2RequestError, sendTokenRequest } from '../vendor/arctic/index.mjs';
import { getConfig, type GoogleConfig } from './config.js';
import { GoogleSignInFailure } from './google-sign-in-error.js';
import { problems } from './problems.js';

export { generateCodeVerifier, generateState } from '../vendor/arctic/index.mjs';

/**
 * Google's OAuth 2.0 authorization code flow with PKCE, through arctic's generic `OAuth2Client`
 * and its token request helpers (arctic's `Google` class has fixed endpoints; this one takes them
 * from the configuration, which defaults to Google's and lets tests point at a local OpenID provider).
 */

const SCOPES = ['openid', 'email', 'profile'];
const CALLBACK_PATH = '/api/google/callback';
const START_PATH = '/api/google/start';
/** Marks a start that `startHostFor` already sent to GOOGLE_REDIRECT_URI's host. */
const MOVED = 'moved';

export type ConfiguredGoogle = GoogleConfig & { clientId: string; clientSecret: string };

/**
 * The Google configuration, or a 503 when the client id or secret is missing (only possible
 * outside production, where the configuration refuses to load without them).
 *
 * @example const google = requireGoogle();
 */
export function requireGoogle(): ConfiguredGoogle {
  const google = getConfig().google;
  if (!google.clientId || !google.clientSecret) throw problems.googleNotConfigured();
  return google as ConfiguredGoogle;
}

/**
 * GOOGLE_REDIRECT_URI, else this deployment's own callback, derived from the request. Start and
 * callback must send the same value, and both derive it the same way.
 *
 * @example redirectUriFor(google, request) // → "https://auth.example.com/api/google/callback"
 */
export function redirectUriFor(google: ConfiguredGoogle, request: Request): string {
  return google.redirectUri ?? new URL(CALLBACK_PATH, new URL(request.url).origin).toString();
}

/**
 * Where a sign-in must begin instead, when this request reached /api/google/start on another host
 * than GOOGLE_REDIRECT_URI's (a preview deployment's, say): /api/google/start, with the same query,
 * on that host. The flow cookie is host-only (`__Host-`), so it must be set on the host Google
 * returns the browser to, or the callback finds none (`invalid_state`). Undefined when already
 * there, or when the redirect URI is derived from the request. Hosts, not origins, are compared,
 * as cookies are: a scheme or port that differs behind a proxy cannot make a redirect loop.
 *
 * @example const there = startHostFor(google, request); if (there) return redirect(there);
 */
export function startHostFor(google: ConfiguredGoogle, request: Request): URL | undefined {
  if (!google.redirectUri) return undefined;
  const here = new URL(request.url);
  const callback = new URL(google.redirectUri);
  // Sent once at most: a proxy in front that rewrites Host to another name (a frontend's rewrite
  // of /api/* to this deployment) would otherwise bounce the browser here for ever.
  if (here.hostname === callback.hostname || here.searchParams.has(MOVED)) return undefined;
  const there = new URL(`${START_PATH}${here.search}`, callback.origin);
  there.searchParams.set(MOVED, '1');
  return there;
}

/**
 * The URL to send the browser to: scopes `openid email profile`, `state`, an S256 PKCE challenge
 * of `codeVerifier`, and `nonce`, which must come back inside the ID token.
 *
 * @example return redirect(googleAuthorizationUrl(google, request, { state, codeVerifier, nonce }));
 */
export function googleAuthorizationUrl(
  google: ConfiguredGoogle,
  request: Request,
  flow: { state: string; codeVerifier: string; nonce: string },
): URL {
  const client = new OAuth2Client(google.clientId, google.clientSecret, redirectUriFor(google, request));
  const url = client.createAuthorizationURLWithPKCE(
    google.authorizationUrl,
    flow.state,
    CodeChallengeMethod.S256,
    flow.codeVerifier,
    SCOPES,
  );
  url.searchParams.set('nonce', flow.nonce);
  return url;
}

/**
 * Trades the authorization code (with the PKCE verifier) at the token endpoint for the ID token,
 * still unverified. A refusal by the provider (a used or forged code, a wrong verifier), an
 * unreachable provider, or one that has not answered within GOOGLE_TIMEOUT_MS is a `provider_error`.
 *
 * @example const idToken = await exchangeGoogleCode(google, request, code, verifier);
 */
export async function exchangeGoogleCode(
  google: ConfiguredGoogle,
  request: Request,
  code: string,
  codeVerifier: string,
): Promise<string> {
  const deadline = AbortSignal.timeout(google.timeoutMs);
  try {
    const tokens = await requestTokens(google, request, code, codeVerifier, deadline);
    return tokens.idToken();
  } catch (error) {
    if (deadline.aborted) throw new GoogleSignInFailure('provider_error', `token endpoint did not answer within ${google.timeoutMs} ms`);
    if (error instanceof OAuth2RequestError) throw new GoogleSignInFailure('provider_error', `token endpoint refused the code: ${error.code}`);
    if (error instanceof ArcticFetchError) throw new GoogleSignInFailure('provider_error', 'token endpoint unreachable');
    throw new GoogleSignInFailure('provider_error', `token endpoint: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * arctic's `OAuth2Client.validateAuthorizationCode`, assembled from arctic's own request helpers
 * so that the request carries a deadline: arctic's fetch has none, and a token endpoint that
 * never answers would hold the callback until Vercel ends the function (maxDuration). The signal
 * also covers reading the response body.
 */
function requestTokens(google: ConfiguredGoogle, request: Request, code: string, codeVerifier: string, signal: AbortSignal): Promise<OAuth2Tokens> {
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUriFor(google, request),
    code_verifier: codeVerifier,
  });
  const tokenRequest = createOAuth2Request(google.tokenUrl, body);
  // client_secret_basic, as arctic sends it and Google accepts it.
  tokenRequest.headers.set('Authorization', `Basic ${encodeBasicCredentials(google.clientId, google.clientSecret)}`);
  return sendTokenRequest(new Request(tokenRequest, { signal }));
}
