/**
 * What a password must be, apart from hashing it (passwords.ts), so that the request schemas can
 * check it without loading bcrypt: functions that never hash (me, forgot-password, docs, Google)
 * would otherwise load bcryptjs on every cold start.
 * bcrypt reads only the first 72 bytes; longer passwords are refused, never silently cut.
 */
// Decision: the minimum counts characters (Unicode code points, as NIST SP 800-63B counts them),
// what a person typing it sees: "ääää" is 8 bytes but 4 characters, and too short. The maximum
// counts bytes, what bcrypt reads.
export const PASSWORD_MIN_CHARACTERS = 8;
export const PASSWORD_MAX_BYTES = 72;

export function passwordBytes(password: string): number {
  return Buffer.byteLength(password, 'utf8');
}

/** Code points, not UTF-16 units: an emoji is one character. */
export function passwordCharacters(password: string): number {
  return [...password].length;
}
