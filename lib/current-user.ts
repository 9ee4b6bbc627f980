import type { UserRow } from './db/schema.js';
import { problems } from './problems.js';
import { TokenError, verifyAccessToken } from './tokens.js';
import { findUserById } from './users.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The user a request's bearer token speaks for, or a 401. One database read: the token must be
 * valid, its user must exist, not be blocked, and still have the token's version (a password
 * reset bumps it, revoking older tokens).
 *
 * @example const user = await requireUser(request);
 */
export async function requireUser(request: Request): Promise<UserRow> {
  const header = request.headers.get('authorization') ?? '';
  // RFC 7235: the scheme, one or more spaces, the token.
  const match = /^Bearer +([A-Za-z0-9._~+/=-]+)$/i.exec(header);
  if (!match) throw problems.noToken();
  try {
    const claims = await verifyAccessToken(match[1]!);
    if (!UUID.test(claims.userId)) throw new TokenError('invalid');
    const user = await findUserById(claims.userId);
    if (!user || user.isBlocked || user.tokenVersion !== claims.tokenVersion) throw new TokenError('invalid');
    return user;
  } catch (error) {
    if (error instanceof TokenError) throw problems.badToken();
    throw error;
  }
}
