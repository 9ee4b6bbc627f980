import { readBody } from '../../lib/body.js';
import { endpoint, preflight } from '../../lib/endpoint.js';
import { redeemExchangeCode, restoreExchangeCode } from '../../lib/exchange-codes.js';
import { clientIp } from '../../lib/client-ip.js';
import { badRequest } from '../../lib/http-errors.js';
import { enforceLimit } from '../../lib/rate-limit.js';
import { json } from '../../lib/respond.js';
import { ExchangeRequest } from '../../lib/schemas/google.js';
import { issueAccessToken } from '../../lib/tokens.js';
import { findUserById } from '../../lib/users.js';
import { parseInput } from '../../lib/validate.js';

const REFUSED = 'The code is unknown, already used or expired. Sign in with Google again.';

/**
 * POST /api/google/exchange: trades the one-time code from the Google callback for an access
 * token, once. 400 for an unknown, used or expired code, and for a user blocked meanwhile.
 */
export const POST = endpoint(async (request) => {
  const input = parseInput(ExchangeRequest, await readBody(request, ['json']));
  // Limit and redemption go out together, one Redis round trip (auto-pipelined). A refused
  // request has then used its code: harmless, since codes are unguessable and only the holder's
  // own address is limited; that holder signs in with Google again.
  const [, userId] = await Promise.all([enforceLimit('exchangeIp', clientIp(request)), redeemExchangeCode(input.code)]);
  const user = userId ? await findUserById(userId).catch(restoreThenFail(input.code, userId)) : undefined;
  if (!user || user.isBlocked) throw badRequest(REFUSED, 'invalid_code');
  return json(await issueAccessToken(user));
});

export const OPTIONS = preflight(['POST']);

/** A failure of ours (the database is down) must not cost the user their code: put it back. */
function restoreThenFail(code: string, userId: string) {
  return async (error: unknown): Promise<never> => {
    await restoreExchangeCode(code, userId).catch(() => {});
    throw error;
  };
}
