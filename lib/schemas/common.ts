// A namespace import: bundled from the package (the bench's bundled build), esbuild keeps only the
// zod parts in use (the named `z` export would pull in all of it); vendor/zod has no `z` export.
import * as z from '../../vendor/zod/index.mjs';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_CHARACTERS, passwordBytes, passwordCharacters } from '../password-rules.js';

// Decision: spaces around a username or an email address are dropped before anything else (sign-up,
// profile, login, reset), as around a display name: a phone keyboard's autocompletion leaves one
// after an address, and neither can hold one. (An account moved from the FastAPI original whose
// username itself ends in a space signs in by email.)

/** Letters, digits, `_`, `.`, `-`; unique whatever the letter case, shown as typed. */
// The `example`s are what Swagger UI's "Try it out" fills in (else "string" and, for a pattern, random characters).
export const Username = z
  .string()
  .trim()
  .min(3, { abort: true }) // "" is too short, not also made of the wrong characters: one message
  .max(32)
  .regex(/^[A-Za-z0-9_.-]+$/, 'Use only letters, digits, "_", "." and "-".')
  .describe('3 to 32 letters, digits, "_", "." or "-" (spaces around them are dropped); unique regardless of letter case.')
  .meta({ example: 'ada' });

/**
 * zod's default email pattern, but for the top-level domain, which may also be an internationalised
 * one as it travels (`xn--p1ai` for .рф): those are ordinary addresses, which browsers' <input
 * type="email"> and Google sign-in (which creates accounts with them) take too.
 */
const EMAIL = /^(?:[A-Za-z0-9_'+\-]+\.)*[A-Za-z0-9_'+\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+(?:[A-Za-z]{2,}|[Xx][Nn]--[A-Za-z0-9\-]*[A-Za-z0-9])$/;

/** Stored lower-cased: mail providers treat addresses case-insensitively, and so do we. Trimmed first (the check runs after). */
export const Email = z
  .string()
  .trim()
  .check(z.email({ pattern: EMAIL }))
  .max(254)
  .toLowerCase()
  .describe('An email address; spaces around it are dropped, and it is stored in lower case.')
  .meta({ example: 'ada@example.com' });

/**
 * A password as typed, in Unicode's NFC form: the same visible password typed as composed or as
 * decomposed characters (é as one code point or as e + ´) is one password. NFC, as RFC 8265's
 * OpaqueString profile for passwords prescribes; NIST SP 800-63B would take NFKC or NFKD, which
 * also folds compatibility forms (fullwidth letters), a change that would lock out passwords set
 * since. Every path that reads a password (sign-up, login, reset) normalises it first.
 */
export const TypedPassword = z.string().overwrite((password) => password.normalize('NFC'));

/** At least 8 characters and at most 72 UTF-8 bytes (counted after normalising), no composition rules (NIST SP 800-63B). */
export const Password = TypedPassword
  .refine((p) => passwordCharacters(p) >= PASSWORD_MIN_CHARACTERS, `Must be at least ${PASSWORD_MIN_CHARACTERS} characters.`)
  .refine((p) => passwordBytes(p) <= PASSWORD_MAX_BYTES, `Must be at most ${PASSWORD_MAX_BYTES} bytes of UTF-8 (bcrypt reads no more): ${PASSWORD_MAX_BYTES} letters of English, fewer with accents or emoji.`)
  .describe('At least 8 characters (Unicode code points) and at most 72 bytes of UTF-8. Longer passwords are refused, never cut.')
  .meta({ example: 'correct horse', minLength: PASSWORD_MIN_CHARACTERS }); // JSON Schema's minLength counts code points, as the check does

/**
 * What a display name may not hold: control characters and line breaks (C0, C1, and the line and
 * paragraph separators U+2028/2029), and bidirectional controls (embeddings, overrides, isolates
 * and the direction marks LRM, RLM, ALM), which can make a name display as something else beside
 * the user's other content. Written as \u escapes, so the OpenAPI pattern reads the same in any
 * regex engine.
 */
const NOT_IN_NAMES = '\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028-\\u202e\\u2066-\\u2069';

export const FullName = z
  .string()
  .trim()
  .max(100)
  .regex(new RegExp(`^[^${NOT_IN_NAMES}]*$`), 'Must not contain control or text-direction characters.')
  .nullable()
  .describe('Display name, up to 100 characters; spaces around it are dropped.')
  .meta({ example: 'Ada Lovelace' });

/**
 * A name from elsewhere (a Google profile) made fit for FullName: those characters dropped, trimmed
 * and cut to 100 characters; null when nothing is left.
 *
 * @example fitFullName('Ada\u202e Lovelace') // 'Ada Lovelace'
 */
export function fitFullName(name: string | undefined): string | null {
  return name?.replace(new RegExp(`[${NOT_IN_NAMES}]`, 'g'), '').trim().slice(0, 100) || null;
}

export const ProblemDetails = z
  .object({
    type: z.string().describe('A stable URN naming the kind of problem, e.g. urn:problem:validation_failed.'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z
      .array(z.object({ field: z.string().describe('The field, by name (dotted inside an object), or "" for the body as a whole.'), message: z.string() }))
      .optional(),
  })
  .describe('An RFC 9457 problem; 422 answers list each invalid field in `errors`.')
  .meta({ id: 'Problem' });
