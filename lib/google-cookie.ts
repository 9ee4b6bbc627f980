import { createHash, timingSafeEqual } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from '../vendor/jose/index.mjs';
import { getConfig } from './config.js';

/**
 * The short-lived cookie that carries a sign-in's `state`, PKCE verifier and `nonce` (and the
 * frontend's own challenge, when it sent one) from /api/google/start to /api/google/callback,
 * encrypted (JWE, `dir` + A256GCM) so the browser can neither read the verifier nor forge the
 * state. HttpOnly, SameSite=Lax (the callback is a top-level GET from Google), 10 minutes.
 *
 * Decision: outside localhost it is `__Host-google_signin`: Secure, Path=/ and no Domain, which
 * browsers enforce for the prefix, so a page on a sibling subdomain (another app under the same
 * custom domain) cannot plant a flow of its own (one it started itself) in a user's browser and
 * sign that user into the attacker's account. The prefix requires Path=/, so the cookie also
 * rides along to the other endpoints for its 10 minutes (the callback that completes it clears it). On localhost
 * (plain http, where Secure cookies are not kept by every browser) it is `google_signin`, sent
 * only to /api/google.
 */

const LOCAL_NAME = 'google_signin';
const SECURE_NAME = '__Host-google_signin';
const MAX_AGE_SECONDS = 600;
const PURPOSE = 'google-signin';

export interface SignInFlow {
  state: string;
  codeVerifier: string;
  nonce: string;
  /** The frontend's own challenge (`code_challenge` at start), which the exchange code must carry. */
  exchangeChallenge?: string;
}

// A 256-bit key derived from SESSION_SECRET_KEY, whatever its length.
function key(): Uint8Array {
  return createHash('sha256').update(getConfig().sessionSecretKey).digest();
}

/** The cookie's name and attributes for the request's origin (see the decision above). */
function cookieFor(request: Request): { name: string; attributes: (maxAge: number) => string } {
  const { hostname } = new URL(request.url);
  const local = hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
  if (local) return { name: LOCAL_NAME, attributes: (maxAge) => `Path=/api/google; Max-Age=${maxAge}; HttpOnly; SameSite=Lax` };
  return { name: SECURE_NAME, attributes: (maxAge) => `Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax; Secure` };
}

/**
 * The `Set-Cookie` value holding the flow, encrypted.
 *
 * @example headers: { 'Set-Cookie': await signInCookie(request, { state, codeVerifier, nonce }) }
 */
export async function signInCookie(request: Request, flow: SignInFlow): Promise<string> {
  const jwe = await new EncryptJWT({ ...flow, purpose: PURPOSE })
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .setIssuedAt()
    .setExpirationTime(`${MAX_AGE_SECONDS}s`)
    .encrypt(key());
  const { name, attributes } = cookieFor(request);
  return `${name}=${jwe}; ${attributes(MAX_AGE_SECONDS)}`;
}

/**
 * The `Set-Cookie` value that deletes the cookie: the callback sends it once the answer's state
 * matched the flow, whatever the outcome after that, so a flow can be completed at most once from
 * this browser.
 *
 * @example headers: { Location, 'Set-Cookie': clearSignInCookie(request) }
 */
export function clearSignInCookie(request: Request): string {
  const { name, attributes } = cookieFor(request);
  return `${name}=; ${attributes(0)}`;
}

/**
 * The flow in the request's cookie; null when the cookie is missing, tampered with or expired.
 *
 * @example const flow = await readSignInCookie(request); if (!flow) fail('invalid_state');
 */
export async function readSignInCookie(request: Request): Promise<SignInFlow | null> {
  // Only the name this origin sets: outside localhost a plain `google_signin` was planted by someone else.
  const value = cookieValue(request.headers.get('cookie') ?? '', cookieFor(request).name);
  if (!value) return null;
  try {
    const { payload } = await jwtDecrypt(value, key(), { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
    const { state, codeVerifier, nonce, exchangeChallenge, purpose } = payload;
    if (purpose !== PURPOSE || typeof state !== 'string' || typeof codeVerifier !== 'string' || typeof nonce !== 'string') return null;
    if (exchangeChallenge !== undefined && typeof exchangeChallenge !== 'string') return null;
    return { state, codeVerifier, nonce, ...(exchangeChallenge === undefined ? {} : { exchangeChallenge }) };
  } catch {
    return null;
  }
}

/**
 * Whether the callback's `state` is the one this browser's sign-in cookie holds, compared in
 * constant time.
 *
 * @example if (!flow || !stateMatches(flow, params.state)) fail('invalid_state');
 */
export function stateMatches(flow: SignInFlow, state: string | undefined): boolean {
  const x = Buffer.from(state ?? '');
  const y = Buffer.from(flow.state);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieValue(header: string, name: string): string | undefined {
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}
