// A namespace import, so bundlers keep only the zod parts in use (the named `z` export pulls in all of it).
import * as z from 'zod';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_BYTES, passwordBytes } from '../password-rules.js';

/** Letters, digits, `_`, `.`, `-`; unique whatever the letter case, shown as typed. */
export const Username = z
  .string()
  .min(3)
  .max(32)
  .regex(/^[A-Za-z0-9_.-]+$/, 'Use only letters, digits, "_", "." and "-".')
  .describe('3 to 32 letters, digits, "_", "." or "-"; unique regardless of letter case.');

/** Stored lower-cased: mail providers treat addresses case-insensitively, and so do we. */
export const Email = z.email().max(254).toLowerCase().describe('An email address; stored in lower case.');

/** 8 to 72 UTF-8 bytes, no composition rules (NIST SP 800-63B). */
export const Password = z
  .string()
  .refine((p) => passwordBytes(p) >= PASSWORD_MIN_BYTES, `Must be at least ${PASSWORD_MIN_BYTES} bytes.`)
  .refine((p) => passwordBytes(p) <= PASSWORD_MAX_BYTES, `Must be at most ${PASSWORD_MAX_BYTES} bytes of UTF-8 (bcrypt reads no more).`)
  .describe('8 to 72 bytes of UTF-8. Longer passwords are refused, never cut.');

export const FullName = z.string().trim().max(100).nullable().describe('Display name, up to 100 characters.');

export const ProblemDetails = z
  .object({
    type: z.string().describe('A stable URN naming the kind of problem, e.g. urn:problem:validation_failed.'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .describe('An RFC 9457 problem; 422 answers list each invalid field in `errors`.')
  .meta({ id: 'Problem' });
