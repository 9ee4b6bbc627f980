import { timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, JOSEError, JWKSInvalid, JWKSTimeout, jwtVerify, type JWTVerifyGetKey } from '../vendor/jose/index.mjs';
import type { ConfiguredGoogle } from './google.js';
import { GoogleSignInFailure } from './google-sign-in-error.js';

/** What the service takes from a verified Google ID token. */
export interface GoogleProfile {
  sub: string;
  email: string | undefined;
  emailVerified: boolean;
  name: string | undefined;
  picture: string | undefined;
}

// Module scope on purpose: a warm function reuses the fetched keys (jose caches and refreshes
// them, and refetches when a token names an unknown `kid`). Keyed by URL and deadline so tests can switch.
let jwks: { url: string; timeoutMs: number; getKey: JWTVerifyGetKey } | undefined;

function keySet({ jwksUrl: url, timeoutMs }: ConfiguredGoogle): JWTVerifyGetKey {
  if (jwks?.url !== url || jwks.timeoutMs !== timeoutMs) {
    const remote = createRemoteJWKSet(new URL(url), { timeoutDuration: timeoutMs });
    jwks = {
      url,
      timeoutMs,
      getKey: async (header, token) => {
        try {
          return await remote(header, token);
        } catch (error) {
          if (keySetUnavailable(error)) throw new GoogleSignInFailure('provider_error', `keys unavailable: ${describe(error)}`);
          throw error;
        }
      },
    };
  }
  return jwks.getKey;
}

/**
 * Whether fetching the key set failed, which is Google's trouble (`provider_error`), not the
 * token's: too slow (JWKSTimeout), unreachable (fetch's own TypeError, not a JOSE error), an answer
 * other than 200 or no JSON (jose's generic error), or no key set (JWKSInvalid). A token naming an
 * unknown key or algorithm stays a verification failure.
 */
function keySetUnavailable(error: unknown): boolean {
  if (!(error instanceof JOSEError)) return true;
  return error instanceof JWKSTimeout || error instanceof JWKSInvalid || error.code === JOSEError.code;
}

function describe(error: unknown): string {
  if (error instanceof JOSEError) return `${error.code} ${error.message}`;
  if (!(error instanceof Error)) return String(error);
  const cause = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof cause === 'string' ? `${error.message} (${cause})` : error.message;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Verifies an ID token against the provider's JWKS: RS256 signature (the algorithm Google uses;
 * `none` and HMAC are refused), `iss` one of the configured issuers, `aud` our client id, `azp`
 * (when present, or when `aud` names several clients) our client id, `exp`, and `nonce` equal to
 * the one this browser's sign-in started with. Any failure is `invalid_id_token`, except keys that
 * could not be fetched (unreachable, slower than GOOGLE_TIMEOUT_MS, not a key set): `provider_error`.
 *
 * @example const profile = await verifyGoogleIdToken(google, idToken, cookie.nonce);
 */
export async function verifyGoogleIdToken(google: ConfiguredGoogle, idToken: string, nonce: string): Promise<GoogleProfile> {
  let payload;
  try {
    ({ payload } = await jwtVerify(idToken, keySet(google), {
      algorithms: ['RS256'],
      issuer: google.issuers,
      audience: google.clientId,
      requiredClaims: ['sub', 'iat', 'exp', 'nonce'],
      clockTolerance: 5,
    }));
  } catch (error) {
    if (error instanceof GoogleSignInFailure) throw error; // the key set could not be had
    throw new GoogleSignInFailure('invalid_id_token', `ID token refused: ${describe(error)}`);
  }
  // OpenID Connect Core 3.1.3.7: a token meant for several audiences must name the client it was
  // issued to (`azp`), and that must be us; an `azp` of another client is refused even beside our
  // `aud`. Our own server-side code flow gets `azp` = our client id from Google, or no `azp`.
  const { aud, azp } = payload;
  if (azp !== undefined && azp !== google.clientId) {
    throw new GoogleSignInFailure('invalid_id_token', 'ID token refused: azp names another client');
  }
  if (Array.isArray(aud) && aud.length > 1 && azp === undefined) {
    throw new GoogleSignInFailure('invalid_id_token', 'ID token refused: several audiences and no azp');
  }
  if (typeof payload.nonce !== 'string' || !sameText(payload.nonce, nonce)) {
    throw new GoogleSignInFailure('invalid_id_token', 'ID token refused: nonce mismatch');
  }
  if (typeof payload.sub !== 'string' || payload.sub.length === 0) {
    throw new GoogleSignInFailure('invalid_id_token', 'ID token refused: no subject');
  }
  const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined);
  return {
    sub: payload.sub,
    email: text(payload.email)?.toLowerCase(),
    // Google sends a boolean; some providers send the string "true".
    emailVerified: payload.email_verified === true || payload.email_verified === 'true',
    name: text(payload.name),
    picture: text(payload.picture),
  };
}
