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
  return { ok: Boolean(usable) && ok, needsRehash: Boolean(usable && ok && bcrypt.getRounds(hash) < cost) };
}

/** A well-formed hash of the given cost that no password matches; costs nothing to make. */
function dummyHash(cost: number): string {
  return `$2b$${String(cost).padStart(2, '0')}$g6S7Tcm/MwjUuTKClRDfou24Di9WRuGoSHCWVu9NAy78gHmOJC5Ji`;
}
