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
  const result = schema.safeParse(value, { error: inWords });
  if (result.success) return result.data;
  throw unprocessable(result.error.issues.flatMap((issue) => fieldErrors(issue, value)));
}

/**
 * One issue as the fields it names, in words for a person: zod's own text for a missing field
 * ("Invalid input: expected string, received undefined") and an unknown one ('Unrecognized key:
 * "x"') is for developers, and multipart forms say "Unknown field." already.
 */
function fieldErrors(issue: z.core.$ZodIssue, value: unknown): FieldError[] {
  const field = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ field: field ? `${field}.${key}` : key, message: 'Unknown field.' }));
  if (issue.code === 'invalid_type' && valueAt(value, issue.path) === undefined) return [{ field, message: 'Required.' }];
  return [{ field, message: issue.message }];
}

const TYPE_WORDS: Record<string, string> = { string: 'a string', number: 'a number', int: 'a whole number', boolean: 'true or false', object: 'an object', array: 'a list', null: 'null' };
const UNITS: Record<string, [one: string, many: string]> = { string: [' character', ' characters'], array: [' item', ' items'] };
/** `3 characters`, `1 character`, `5` (a number has no unit). */
const counted = (n: number | bigint, origin: string) => `${n}${UNITS[origin]?.[Number(n) === 1 ? 0 : 1] ?? ''}`;
const FORMATS: Record<string, string> = { email: 'an email address', url: 'a URL', uuid: 'a UUID' };

/**
 * zod's default messages ("Too small: expected string to have >=3 characters") in words a
 * frontend can show beside a field as they are, for the issues whose schema set no message of its
 * own (a schema's own message wins over this one); undefined leaves zod's.
 */
function inWords(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'Required.' : `Must be ${TYPE_WORDS[issue.expected] ?? issue.expected}.`;
    case 'too_small':
      if (issue.exact) return `Exactly ${counted(issue.minimum, issue.origin)}.`;
      if (issue.origin === 'string' && Number(issue.minimum) === 1 && issue.inclusive !== false) return 'Must not be empty.';
      return `${issue.inclusive === false ? 'More than' : 'At least'} ${counted(issue.minimum, issue.origin)}.`;
    case 'too_big':
      if (issue.exact) return `Exactly ${counted(issue.maximum, issue.origin)}.`;
      return `${issue.inclusive === false ? 'Less than' : 'At most'} ${counted(issue.maximum, issue.origin)}.`;
    case 'invalid_format':
      return FORMATS[issue.format] ? `Must be ${FORMATS[issue.format]}.` : undefined;
    case 'invalid_value':
      return `Must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}.`;
    default:
      return undefined;
  }
}

function valueAt(value: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>((at, key) => (at !== null && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[key] : undefined), value);
}

/** A UTF-16 surrogate not paired (with the u flag a proper pair reads as one code point). */
const LONE_SURROGATE = /\p{Cs}/u;

function fieldsNotStorable(value: unknown, path: string, depth = 0): string[] {
  if (typeof value === 'string') return value.includes('\u0000') || LONE_SURROGATE.test(value) ? [path] : [];
  if (value === null || typeof value !== 'object' || depth > 4) return [];
  return Object.entries(value).flatMap(([key, v]) => fieldsNotStorable(v, path ? `${path}.${key}` : key, depth + 1));
}

/**
 * The request's query parameters that `schema` names, checked as `parseInput` checks a body; any
 * other parameter (a link's `utm_source`, say) is ignored, as before the schema existed.
 *
 * @example const query = parseQuery(GoogleStartQuery, request);
 */
export function parseQuery<S extends z.ZodObject>(schema: S, request: Request): z.output<S> {
  const search = new URL(request.url).searchParams;
  const named = Object.keys(schema.shape).filter((name) => search.has(name));
  return parseInput(schema, Object.fromEntries(named.map((name) => [name, search.get(name)])));
}
