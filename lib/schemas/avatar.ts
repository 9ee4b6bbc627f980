import * as z from '../../vendor/zod/index.mjs';

/**
 * The `avatar` part of a `multipart/form-data` body, as the OpenAPI document shows it. The bytes
 * are checked while streaming (size limit, type from the first bytes), not by zod, so this schema
 * only documents the part; `format: binary` makes Swagger UI offer a file picker.
 */
export const AvatarFile = z
  .any()
  .meta({
    type: 'string',
    format: 'binary',
    contentMediaType: 'application/octet-stream',
    description: 'An image: PNG, JPEG, WebP or GIF, decided by its first bytes; at most 2 MiB by default.',
  });
