import type * as z from 'zod';
import { unprocessable, type FieldError } from './http-errors.js';

/**
 * Checks a request value against its zod schema: the parsed value, or a 422 naming every bad field.
 * Strings holding U+0000 are refused first, whatever the schema: PostgreSQL text cannot store
 * that character, so letting one through would turn bad input into a server error.
 *
 * @example const input = parseInput(RegisterRequest, await readBody(request, ['json']));
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const nul = fieldsWithNul(value, '');
  if (nul.length > 0) throw unprocessable(nul.map((field) => ({ field, message: 'Must not contain the NUL character.' })));
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw unprocessable(
    result.error.issues.map((issue): FieldError => ({
      field: issue.path.map(String).join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : ''),
      message: issue.message,
    })),
  );
}

function fieldsWithNul(value: unknown, path: string, depth = 0): string[] {
  if (typeof value === 'string') return value.includes('\u0000') ? [path] : [];
  if (value === null || typeof value !== 'object' || depth > 4) return [];
  return Object.entries(value).flatMap(([key, v]) => fieldsWithNul(v, path ? `${path}.${key}` : key, depth + 1));
}
