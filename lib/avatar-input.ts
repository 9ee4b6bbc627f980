import { readBody, mediaType } from './body.js';
import { getConfig } from './config.js';
import { sniffImageType } from './image-type.js';
import { problems } from './problems.js';
import { readMultipart, type MultipartRules } from './multipart.js';
import type { AvatarImage } from './avatars.js';

/** The multipart field that carries the avatar file. */
export const AVATAR_FIELD = 'avatar';

const MAX_FIELD_BYTES = 1024; // longer than any valid username, email, password or name

/**
 * The body of a request that may carry an avatar: JSON (no avatar), or `multipart/form-data` with
 * the text `fields` and at most one `avatar` file of at most AVATAR_MAX_BYTES (413), whose first
 * bytes must be PNG, JPEG, WebP or GIF (415, whatever its declared type or name). `input` is
 * for the zod schema to check; `form` says it came from a form (whose fields all come as text).
 *
 * @example const { input, avatar } = await readInputWithAvatar(request, ['username', 'email']);
 */
export async function readInputWithAvatar(
  request: Request,
  fields: readonly string[],
): Promise<{ input: unknown; avatar: AvatarImage | undefined; form: boolean }> {
  if (mediaType(request) !== 'multipart/form-data') {
    if (mediaType(request) !== 'application/json') throw problems.wrongMediaType('application/json or multipart/form-data');
    return { input: await readBody(request, ['json']), avatar: undefined, form: false };
  }
  const form = await readMultipart(request, avatarFormRules(fields, getConfig().avatars.maxBytes));
  if (!form.file) return { input: form.fields, avatar: undefined, form: true };
  const type = sniffImageType(form.file.bytes);
  if (!type) throw problems.avatarType(AVATAR_FIELD);
  return { input: form.fields, avatar: { bytes: form.file.bytes, type }, form: true };
}

/** The multipart rules of a form with these text `fields` and one avatar of at most `maxFileBytes`. */
export function avatarFormRules(fields: readonly string[], maxFileBytes: number): MultipartRules {
  return { fields, fileField: AVATAR_FIELD, maxFileBytes, maxFieldBytes: MAX_FIELD_BYTES };
}
