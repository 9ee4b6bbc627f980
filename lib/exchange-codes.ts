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

/** Who a code signs in: the user and their token version when the code was issued. */
export interface ExchangeGrant {
  userId: string;
  tokenVersion: number;
}

const valueOf = (grant: ExchangeGrant): string => `${grant.tokenVersion}:${grant.userId}`;

/**
 * A fresh code (32 random bytes, base64url) for the user, redeemable once within 60 seconds.
 * The grant is stored with it, so the exchange needs no database read: the user was read (and
 * checked not blocked) by the callback that issues the code, and the access token it becomes is
 * checked against the user's row on every use (blocked, token version), like any other.
 *
 * @example const code = await issueExchangeCode(user); // → redirect to FRONTEND_CALLBACK_URL?code=…
 */
export async function issueExchangeCode(user: { id: string; tokenVersion: number }): Promise<string> {
  const code = randomBytes(32).toString('base64url');
  await getStore().put(keyOf(code), valueOf({ userId: user.id, tokenVersion: user.tokenVersion }), TTL_SECONDS);
  return code;
}

/**
 * The grant a code was issued for, consuming the code; null when it is unknown, used or expired.
 *
 * @example const grant = await redeemExchangeCode(input.code); if (!grant) throw badRequest(…);
 */
export async function redeemExchangeCode(code: string): Promise<ExchangeGrant | null> {
  const value = await getStore().take(keyOf(code));
  const match = value ? /^(\d+):(.+)$/.exec(value) : null;
  return match ? { tokenVersion: Number(match[1]), userId: match[2]! } : null;
}

/**
 * Puts a redeemed code back, with a fresh 60 seconds, when the exchange was refused for a reason
 * that is not the code's (the rate limit), so that the user's retry can still succeed.
 *
 * @example await restoreExchangeCode(input.code, grant);
 */
export async function restoreExchangeCode(code: string, grant: ExchangeGrant): Promise<void> {
  await getStore().put(keyOf(code), valueOf(grant), TTL_SECONDS);
}
