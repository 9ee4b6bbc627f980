/**
 * What a password must be, apart from hashing it (passwords.ts), so that the request schemas can
 * check it without loading bcrypt: functions that never hash (me, forgot-password, docs, Google)
 * would otherwise load bcryptjs on every cold start.
 * bcrypt reads only the first 72 bytes; longer passwords are refused, never silently cut.
 */
export const PASSWORD_MIN_BYTES = 8;
export const PASSWORD_MAX_BYTES = 72;

export function passwordBytes(password: string): number {
  return Buffer.byteLength(password, 'utf8');
}
