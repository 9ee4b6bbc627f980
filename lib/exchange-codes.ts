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

/** Who a code signs in: the user and their token version when the code was issued, and until when. */
export interface ExchangeGrant {
  userId: string;
  tokenVersion: number;
  /** Milliseconds since the epoch: 60 seconds after issue, kept when the code is put back. */
  expiresAt: number;
}

const valueOf = (grant: ExchangeGrant): string => `${grant.expiresAt}:${grant.tokenVersion}:${grant.userId}`;

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
  const grant = { userId: user.id, tokenVersion: user.tokenVersion, expiresAt: Date.now() + TTL_SECONDS * 1000 };
  await getStore().put(keyOf(code), valueOf(grant), TTL_SECONDS);
  return code;
}

/**
 * The grant a code was issued for, consuming the code; null when it is unknown, used or expired.
 *
 * @example const grant = await redeemExchangeCode(input.code); if (!grant) throw badRequest(…);
 */
export async function redeemExchangeCode(code: string): Promise<ExchangeGrant | null> {
  const value = await getStore().take(keyOf(code));
  const match = value ? /^(\d+):(\d+):(.+)$/.exec(value) : null;
  if (!match || Number(match[1]) <= Date.now()) return null;
  return { expiresAt: Number(match[1]), tokenVersion: Number(match[2]), userId: match[3]! };
}

/**
 * Puts a redeemed code back, for what is left of its 60 seconds, when the exchange was refused
 * for a reason that is not the code's (the rate limit), so that the user's retry can still
 * succeed. Never for longer: a code kept over the limit must not live on.
 *
 * @example await restoreExchangeCode(input.code, grant);
 */
export async function restoreExchangeCode(code: string, grant: ExchangeGrant): Promise<void> {
  const left = grant.expiresAt - Date.now();
  if (left > 0) await getStore().put(keyOf(code), valueOf(grant), Math.ceil(left / 1000));
}
