import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
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
  /** The frontend's S256 challenge from /api/google/start, if it sent one: the exchange must answer it. */
  exchangeChallenge?: string;
}

// `expiresAt:tokenVersion:userId[:challenge]`: a code issued before challenges existed reads as one without.
const valueOf = (grant: ExchangeGrant): string =>
  `${grant.expiresAt}:${grant.tokenVersion}:${grant.userId}${grant.exchangeChallenge ? `:${grant.exchangeChallenge}` : ''}`;
const VALUE = /^(\d+):(\d+):([^:]+)(?::([A-Za-z0-9_-]{43}))?$/;

/**
 * A fresh code (32 random bytes, base64url) for the user, redeemable once within 60 seconds, and
 * only with the verifier of `exchangeChallenge` when the frontend started the sign-in with one.
 * The grant is stored with it, so the exchange needs no database read: the user was read (and
 * checked not blocked) by the callback that issues the code, and the access token it becomes is
 * checked against the user's row on every use (blocked, token version), like any other.
 *
 * @example const code = await issueExchangeCode(user, flow.exchangeChallenge); // → FRONTEND_CALLBACK_URL?code=…
 */
export async function issueExchangeCode(user: { id: string; tokenVersion: number }, exchangeChallenge?: string): Promise<string> {
  const code = randomBytes(32).toString('base64url');
  const grant = { userId: user.id, tokenVersion: user.tokenVersion, expiresAt: Date.now() + TTL_SECONDS * 1000, exchangeChallenge };
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
  const match = value ? VALUE.exec(value) : null;
  if (!match || Number(match[1]) <= Date.now()) return null;
  const [, expiresAt, tokenVersion, userId, exchangeChallenge] = match;
  return { expiresAt: Number(expiresAt), tokenVersion: Number(tokenVersion), userId: userId!, ...(exchangeChallenge ? { exchangeChallenge } : {}) };
}

/**
 * Whether `verifier` (the exchange's `code_verifier`) answers the grant, RFC 7636 S256: a grant
 * whose sign-in started with a challenge needs the verifier whose SHA-256 it is. A grant without
 * one takes no verifier: a frontend that sends one started its own sign-in with a challenge, so a
 * code without is someone else's (a login CSRF), not the one its sign-in produced.
 *
 * @example if (!grant || !verifierAnswers(grant, input.code_verifier)) throw problems.invalidExchangeCode();
 */
export function verifierAnswers(grant: ExchangeGrant, verifier: string | undefined): boolean {
  if (grant.exchangeChallenge === undefined) return verifier === undefined;
  if (verifier === undefined) return false;
  const computed = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
  const expected = Buffer.from(grant.exchangeChallenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

/**
 * Puts a redeemed code back, for what is left of its 60 seconds, when the exchange was refused
 * for a reason that is not the code's (the rate limit), so that the user's retry can still
 * succeed. Never for longer: a code kept over the limit must not live on. For after the
 * response: through the store's `putBack`, tried even with Redis just found unreachable.
 *
 * @example runAfterResponse('exchange code restore', () => restoreExchangeCode(input.code, grant));
 */
export async function restoreExchangeCode(code: string, grant: ExchangeGrant): Promise<void> {
  const left = grant.expiresAt - Date.now();
  if (left > 0) await getStore().putBack(keyOf(code), valueOf(grant), Math.ceil(left / 1000));
}
