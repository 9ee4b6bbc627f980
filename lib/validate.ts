import type { z } from 'zod';
import { unprocessable } from './http-errors.js';

/**
 * Checks a request value against its zod schema: the parsed value, or a 422 naming every bad field.
 *
 * @example const input = parseInput(RegisterRequest, await readBody(request, ['json']));
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw unprocessable(
    result.error.issues.map((issue) => ({
      field: issue.path.map(String).join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : ''),
      message: issue.message,
    })),
  );
}
