// jose from vendor/jose: one file, not its modules one by one (scripts/vendor.mjs says why).
import { JWTExpired, jwtVerify, SignJWT } from '../vendor/jose/index.mjs';
import { getConfig } from './config.js';

const ALGORITHM = 'HS256';

export interface AccessToken {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
}

export interface AccessClaims {
  userId: string;
  tokenVersion: number;
}

/** Why a token was refused; callers answer 401 for every code alike. */
export class TokenError extends Error {
  constructor(readonly code: 'invalid' | 'expired') {
    super(`access token ${code}`);
    this.name = 'TokenError';
  }
}

// The HMAC key, imported once per secret and reused by warm invocations: handed the raw bytes,
// jose imports them into a CryptoKey on every call, about a third of each verify's CPU time.
let imported: { secret: string; key: Promise<CryptoKey> } | undefined;

function key(): Promise<CryptoKey> {
  const secret = getConfig().secretKey;
  if (imported?.secret !== secret) {
    const raw = new TextEncoder().encode(secret);
    imported = { secret, key: crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']) };
  }
  return imported.key;
}

/**
 * Signs an HS256 access token for a user: `sub`, `iat`, `exp`, `iss`, `aud`, and `ver`, the
 * user's token version, which a password reset bumps to revoke every earlier token.
 *
 * @example return json(await issueAccessToken(user));
 */
export async function issueAccessToken(user: { id: string; tokenVersion: number }): Promise<AccessToken> {
  const { issuer, audience, ttlSeconds } = getConfig().jwt;
  const access_token = await new SignJWT({ ver: user.tokenVersion })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(user.id)
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(await key());
  return { access_token, token_type: 'bearer', expires_in: ttlSeconds };
}

/**
 * Verifies signature (HS256 only: `none` and asymmetric algorithms are refused), `iss`, `aud`,
 * `exp` and `nbf`, and that `sub` and `ver` are present. Whether the user still exists, is not
 * blocked and has this token version is checked against the database by `requireUser`.
 *
 * @example const { userId, tokenVersion } = await verifyAccessToken(bearer);
 */
export async function verifyAccessToken(token: string): Promise<AccessClaims> {
  const { issuer, audience } = getConfig().jwt;
  try {
    const { payload } = await jwtVerify(token, await key(), {
      algorithms: [ALGORITHM],
      issuer,
      audience,
      requiredClaims: ['sub', 'exp', 'iat', 'ver'],
    });
    if (typeof payload.sub !== 'string' || !Number.isInteger(payload.ver)) throw new TokenError('invalid');
    return { userId: payload.sub, tokenVersion: payload.ver as number };
  } catch (error) {
    if (error instanceof JWTExpired) throw new TokenError('expired');
    throw new TokenError('invalid');
  }
}
