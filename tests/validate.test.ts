import { describe, expect, it } from 'vitest';
import * as z from '../vendor/zod/index.mjs';
import { HttpError } from '../lib/http-errors.js';
import { UpdateProfileRequest } from '../lib/schemas/profile.js';
import { parseInput } from '../lib/validate.js';

/** The 422 `parseInput` throws for `value`, as its `errors`. */
function errorsOf(schema: z.ZodType, value: unknown) {
  try {
    parseInput(schema, value);
  } catch (error) {
    if (error instanceof HttpError && error.status === 422) return error.extra.errors;
    throw error;
  }
  throw new Error('accepted');
}

describe('parseInput: what is wrong with a field, in words a frontend can show as they are', () => {
  const Schema = z.strictObject({
    code: z.string().length(6),
    name: z.string().min(1),
    nick: z.string().max(1),
    tags: z.array(z.string()).max(1),
    age: z.number().min(18),
    kind: z.enum(['a', 'b']),
    email: z.email(),
    own: z.string().min(3, 'Its own message.'),
  });

  it('counts in characters or items, one or many, exact lengths included; names the values and types; a schema\'s own message wins', () => {
    const errors = errorsOf(Schema, { code: '123', name: '', nick: 'ab', tags: ['x', 'y'], age: 12, kind: 'c', email: 'nope', own: 'x', extra: 1 });
    expect(errors).toEqual([
      { field: 'code', message: 'Exactly 6 characters.' },
      { field: 'name', message: 'Must not be empty.' },
      { field: 'nick', message: 'At most 1 character.' },
      { field: 'tags', message: 'At most 1 item.' },
      { field: 'age', message: 'At least 18.' },
      { field: 'kind', message: 'Must be "a" or "b".' },
      { field: 'email', message: 'Must be an email address.' },
      { field: 'own', message: 'Its own message.' },
      { field: 'extra', message: 'Unknown field.' },
    ]);
    expect(errorsOf(Schema, { code: 123456 })).toEqual(expect.arrayContaining([{ field: 'code', message: 'Must be a string.' }, { field: 'name', message: 'Required.' }]));
  });

  it("gives one message per field of the service's own schemas: an empty username is too short, not also of the wrong characters; a JSON avatar is only null", () => {
    expect(errorsOf(UpdateProfileRequest, { username: '', avatar: 'x' })).toEqual([
      { field: 'username', message: 'At least 3 characters.' },
      { field: 'avatar', message: 'Only null, which removes the avatar: send a new one as a file in multipart/form-data.' },
    ]);
  });
});
