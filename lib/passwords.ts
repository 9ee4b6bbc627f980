import bcrypt from 'bcryptjs';
import { getConfig } from './config.js';
import { PASSWORD_MAX_BYTES, passwordBytes } from './password-rules.js';

/** bcrypt hash at the configured cost (`BCRYPT_COST`). */
export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, getConfig().bcryptCost);
}

export interface PasswordCheck {
  ok: boolean;
  /** The stored hash is cheaper than today's cost and should be replaced after this login. */
  needsRehash: boolean;
}

/**
 * Compares a password with a stored hash in the same time whether or not there is one:
 * with no hash (unknown user, Google-only account) it compares against a dummy hash of the
 * configured cost, so a login cannot tell "no such user" from "wrong password" by its timing.
 *
 * @example const { ok, needsRehash } = await checkPassword(input.password, user?.passwordHash);
 */
export async function checkPassword(password: string, hash: string | null | undefined): Promise<PasswordCheck> {
  const cost = getConfig().bcryptCost;
  // Over 72 bytes bcrypt would compare a truncated prefix, so such a password can never be right.
  const usable = hash && passwordBytes(password) <= PASSWORD_MAX_BYTES;
  const ok = await bcrypt.compare(password, usable ? hash : dummyHash(cost));
  if (usable && !ok) await makeUpCost(password, bcrypt.getRounds(hash), cost);
  return { ok: Boolean(usable) && ok, needsRehash: Boolean(usable && ok && bcrypt.getRounds(hash) < cost) };
}

/**
 * After a failed compare against a hash stored at a lower cost (before BCRYPT_COST was raised),
 * the work still owed to match one compare at `cost`: bcrypt's work doubles with each step of cost,
 * and 2^cost = 2^rounds + 2^rounds + 2^(rounds+1) + … + 2^(cost-1), so one dummy compare at each
 * cost from `rounds` to `cost - 1`. Else a dormant account's wrong password would answer faster
 * than an unknown user's and tell that the account exists. (A hash above `cost`, after the cost was
 * lowered, still answers slower: nothing can speed it up.)
 */
async function makeUpCost(password: string, rounds: number, cost: number): Promise<void> {
  for (let step = rounds; step < cost; step++) await bcrypt.compare(password, dummyHash(step));
}

/** A well-formed hash of the given cost that no password matches; costs nothing to make. */
function dummyHash(cost: number): string {
  return `$2b$${String(cost).padStart(2, '0')}$g6S7Tcm/MwjUuTKClRDfou24Di9WRuGoSHCWVu9NAy78gHmOJC5Ji`;
}
