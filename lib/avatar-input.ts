import { readBody, mediaType } from './body.js';
import { getConfig } from './config.js';
import { unsupportedMediaType } from './http-errors.js';
import { sniffImageType } from './image-type.js';
import { readMultipart } from './multipart.js';
import type { AvatarImage } from './avatars.js';

/** The multipart field that carries the avatar file. */
export const AVATAR_FIELD = 'avatar';

const MAX_FIELD_BYTES = 1024; // longer than any valid username, email, password or name

/**
 * The body of a request that may carry an avatar: JSON (no avatar), or `multipart/form-data` with
 * the text `fields` and at most one `avatar` file of at most AVATAR_MAX_BYTES (413), whose first
 * bytes must be PNG, JPEG, WebP or GIF (415, whatever its declared type or name). `input` is
 * for the zod schema to check.
 *
 * @example const { input, avatar } = await readInputWithAvatar(request, ['username', 'email']);
 */
export async function readInputWithAvatar(
  request: Request,
  fields: readonly string[],
): Promise<{ input: unknown; avatar: AvatarImage | undefined }> {
  if (mediaType(request) !== 'multipart/form-data') {
    if (mediaType(request) !== 'application/json') throw unsupportedMediaType('Send the body as application/json or multipart/form-data.');
    return { input: await readBody(request, ['json']), avatar: undefined };
  }
  const form = await readMultipart(request, {
    fields,
    fileField: AVATAR_FIELD,
    maxFileBytes: getConfig().avatars.maxBytes,
    maxFieldBytes: MAX_FIELD_BYTES,
  });
  if (!form.file) return { input: form.fields, avatar: undefined };
  const type = sniffImageType(form.file.bytes);
  if (!type) throw unsupportedMediaType('The avatar must be a PNG, JPEG, WebP or GIF image.');
  return { input: form.fields, avatar: { bytes: form.file.bytes, type } };
}
