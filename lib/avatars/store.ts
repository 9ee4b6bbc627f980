import type { ImageType } from '../image-type.js';

/** An image checked by its first bytes, ready to store. */
export interface AvatarImage {
  bytes: Buffer;
  type: ImageType;
}

/**
 * Where a stored avatar lives: the URL users see, and the key to delete it with. The URL is
 * absolute (Cloudinary's), or a path on this service's own origin (`/avatars/<file>`, the files the
 * dev server serves), which each answer makes absolute on the host that request named
 * (`toPublicUser`): stored with a host, it would break when the dev server's port or address changes.
 */
export interface StoredAvatar {
  url: string;
  key: string;
}

/** The storage both backends implement: Cloudinary in production, files under `DATA_DIR/avatars` outside it. */
export interface AvatarStore {
  save(image: AvatarImage): Promise<StoredAvatar>;
  remove(key: string): Promise<void>;
}

/**
 * The storage service read the file and refused it as an image (the first bytes looked right, the
 * rest did not): the client's fault, not an outage, so it is answered 415, not 502.
 */
export class AvatarUnreadableError extends Error {
  constructor(detail: string) {
    super(`the image service could not read the file: ${detail}`);
    this.name = 'AvatarUnreadableError';
  }
}

/**
 * The storage service refused the image for its size in pixels (the account's megapixel limit, for
 * an animated image the pixels of all its frames): the client's file again, answered 413, not a 502
 * that says to try again, since the same file would be refused every time.
 */
export class AvatarTooManyPixelsError extends Error {
  constructor(detail: string) {
    super(`the image service refused the file for its size in pixels: ${detail}`);
    this.name = 'AvatarTooManyPixelsError';
  }
}

/**
 * The upload went out and no answer came (its deadline passed, the connection dropped): the service
 * may have stored and processed it all the same, and so spent the quota an upload costs. Still a
 * 502 to the client; the avatar limit's slot stays counted (lib/limit-reservations.ts), else an
 * upload the service is slow to process could be repeated for ever at no cost to its sender.
 */
export class AvatarUploadUnconfirmedError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'AvatarUploadUnconfirmedError';
  }
}
