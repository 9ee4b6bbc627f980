import { runAfterResponse } from '../../lib/background.js';
import { readBody } from '../../lib/body.js';
import { endpoint } from '../../lib/endpoint.js';
import { otherMethods } from '../../lib/other-methods.js';
import { redeemExchangeCode, restoreExchangeCode, verifierAnswers } from '../../lib/exchange-codes.js';
import { clientIp } from '../../lib/client-ip.js';
import { problems } from '../../lib/problems.js';
import { enforceLimit } from '../../lib/rate-limit.js';
import { json } from '../../lib/respond.js';
import { ExchangeRequest } from '../../lib/schemas/google.js';
import { issueAccessToken } from '../../lib/tokens.js';
import { parseInput } from '../../lib/validate.js';

/**
 * POST /api/google/exchange: trades the one-time code from the Google callback for an access
 * token, once. 400 for an unknown, used or expired code, and for a `code_verifier` that does not
 * answer the challenge the sign-in started with (or comes for a code whose sign-in had none). One
 * Redis round trip and no database: the code carries the user id and token version the callback
 * read. Decision: a user blocked (or whose password was reset) in the code's 60 seconds still gets
 * a token, but that token is refused on first use, as every token is checked against the user's
 * row (lib/current-user.ts).
 */
export const POST = endpoint(async (request) => {
  const input = parseInput(ExchangeRequest, await readBody(request, ['json']));
  // Limit and redemption go out together, one Redis round trip (auto-pipelined). When the limit
  // refuses, the code it took meanwhile is put back, so the user's retry after the wait works.
  const [limit, redeemed] = await Promise.allSettled([enforceLimit('exchangeIp', clientIp(request)), redeemExchangeCode(input.code)]);
  // A code tried with the wrong verifier (or one sent for a code without a challenge) stays used up.
  const grant = redeemed.status === 'fulfilled' && redeemed.value && verifierAnswers(redeemed.value, input.code_verifier) ? redeemed.value : null;
  if (limit.status === 'rejected') {
    // After the answer: with Redis just found unreachable, the put-back is tried all the same
    // (lib/redis-store.ts), and the 503 must not wait on it. The retry comes after Retry-After.
    if (grant) runAfterResponse('exchange code restore', () => restoreExchangeCode(input.code, grant));
    throw limit.reason;
  }
  if (redeemed.status === 'rejected') throw redeemed.reason;
  if (!grant) throw problems.invalidExchangeCode();
  return json(await issueAccessToken({ id: grant.userId, tokenVersion: grant.tokenVersion }));
});

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
