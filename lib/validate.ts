import type * as z from 'zod';
import { unprocessable, type FieldError } from './http-errors.js';

/**
 * Checks a request value against its zod schema: the parsed value, or a 422 naming every bad field.
 * Strings holding U+0000 or a lone UTF-16 surrogate (`"\ud800"` in JSON) are refused first,
 * whatever the schema: PostgreSQL text cannot store the first, and Neon's HTTP endpoint refuses
 * the second in a query's parameters, so letting one through would turn bad input into a 500.
 *
 * @example const input = parseInput(RegisterRequest, await readBody(request, ['json']));
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const unstorable = fieldsNotStorable(value, '');
  if (unstorable.length > 0) {
    throw unprocessable(unstorable.map((field) => ({ field, message: 'Must be well-formed text without the NUL character.' })));
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw unprocessable(
    result.error.issues.map((issue): FieldError => ({
      field: issue.path.map(String).join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : ''),
      message: issue.message,
    })),
  );
}

/** A UTF-16 surrogate not paired (with the u flag a proper pair reads as one code point). */
const LONE_SURROGATE = /\p{Cs}/u;

function fieldsNotStorable(value: unknown, path: string, depth = 0): string[] {
  if (typeof value === 'string') return value.includes('\u0000') || LONE_SURROGATE.test(value) ? [path] : [];
  if (value === null || typeof value !== 'object' || depth > 4) return [];
  return Object.entries(value).flatMap(([key, v]) => fieldsNotStorable(v, path ? `${path}.${key}` : key, depth + 1));
}
