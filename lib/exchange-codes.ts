import { createHmac, randomBytes } from 'node:crypto';
import { getConfig } from './config.js';
import { getStore } from './store.js';

/**
 * One-time codes that carry a Google sign-in from the callback redirect to the frontend, which
 * trades one for an access token at POST /api/google/exchange. The token itself never travels
 * in a URL. A code lives 60 seconds and works once: redeeming takes it out of the store in one
 * atomic step, so two racing exchanges cannot both win.
 */

const TTL_SECONDS = 60;
const PREFIX = 'exchange:';

// The store holds an HMAC of the code, not the code: whoever reads the store (a leaked Redis
// token, a dump) cannot redeem what they see there.
function keyOf(code: string): string {
  return PREFIX + createHmac('sha256', getConfig().secretKey).update(`exchange-code:${code}`).digest('base64url');
}

/**
 * A fresh code (32 random bytes, base64url) for the user, redeemable once within 60 seconds.
 *
 * @example const code = await issueExchangeCode(user.id); // → redirect to FRONTEND_CALLBACK_URL?code=…
 */
export async function issueExchangeCode(userId: string): Promise<string> {
  const code = randomBytes(32).toString('base64url');
  await getStore().put(keyOf(code), userId, TTL_SECONDS);
  return code;
}

/**
 * The user id a code was issued for, consuming the code; null when it is unknown, used or expired.
 *
 * @example const userId = await redeemExchangeCode(input.code); if (!userId) throw badRequest(…);
 */
export async function redeemExchangeCode(code: string): Promise<string | null> {
  return getStore().take(keyOf(code));
}

/**
 * Puts a redeemed code back (with a fresh 60 seconds) when the exchange failed for a reason of
 * ours, such as the database being down, so that the user's retry can still succeed.
 *
 * @example catch (error) { await restoreExchangeCode(input.code, userId); throw error; }
 */
export async function restoreExchangeCode(code: string, userId: string): Promise<void> {
  await getStore().put(keyOf(code), userId, TTL_SECONDS);
}
