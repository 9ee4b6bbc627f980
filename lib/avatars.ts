import { AVATAR_FIELD } from './avatar-input.js';
import { runAfterResponse } from './background.js';
import { getConfig } from './config.js';
import { mayHaveRun } from './db/unavailable.js';
import { problems } from './problems.js';
import { cloudinaryAvatarStore } from './avatars/cloudinary.js';
import { localAvatarStore } from './avatars/local.js';
import { AvatarTooManyPixelsError, AvatarUnreadableError, type AvatarImage, type AvatarStore, type StoredAvatar } from './avatars/store.js';

export type { AvatarImage, StoredAvatar } from './avatars/store.js';

/** The configured store: Cloudinary when configured (always in production), else local files. */
export function avatarStore(): AvatarStore {
  const { avatars } = getConfig();
  return avatars.cloudinary ? cloudinaryAvatarStore(avatars.cloudinary) : localAvatarStore(avatars.localDir);
}

/**
 * Stores `image` (if any), then runs `use` with it; when `use` throws (the username was taken
 * meanwhile, the token was revoked), the new avatar is deleted before the error goes on, so a
 * failed request leaves no orphan. But not when the database failed on the way with the write
 * perhaps out (a timeout, a lost connection): it may have landed all the same (a query past its
 * deadline can still commit), and deleting an avatar a user row may point at would break it. Then
 * the avatar is kept and its key logged, an orphan at worst. A write that certainly never ran (no
 * connection could be made, or no time was left to send it) is like any other failure. A failed
 * upload is a 502 (415 when the service could not read the file as an image, 413 when it refused
 * its pixels) and `use` never runs.
 *
 * @example const user = await withStoredAvatar(image, (avatar) => createUser({ ..., avatarUrl: avatar?.url ?? null }));
 */
export async function withStoredAvatar<T>(
  image: AvatarImage | undefined,
  use: (avatar: StoredAvatar | undefined) => Promise<T>,
): Promise<T> {
  if (!image) return use(undefined);
  const store = avatarStore();
  let avatar: StoredAvatar;
  try {
    avatar = await store.save(image);
  } catch (error) {
    if (error instanceof AvatarUnreadableError) throw problems.avatarUnreadable(AVATAR_FIELD);
    if (error instanceof AvatarTooManyPixelsError) throw problems.avatarTooManyPixels(AVATAR_FIELD);
    console.error(`avatar upload failed: ${error instanceof Error ? error.message : String(error)}`);
    throw Object.assign(problems.avatarStoreFailed(), { cause: error }); // the cause: see limitReservations
  }
  try {
    return await use(avatar);
  } catch (error) {
    if (mayHaveRun(error)) {
      console.error(`avatar ${avatar.key} kept: the database failed during the write, which may have stored it; delete it by hand if no user has it`);
    } else {
      await discardAvatar(avatar.key);
    }
    throw error;
  }
}

/**
 * Deletes a stored avatar, best effort: a failure is logged with the key (for a manual clean-up)
 * and not thrown, because the caller's answer no longer depends on it.
 *
 * @example await discardAvatar(previous.avatarKey);
 */
export async function discardAvatar(key: string): Promise<void> {
  try {
    await avatarStore().remove(key);
  } catch (error) {
    console.error(`avatar ${key} could not be deleted: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Deletes a replaced avatar after the response (see `runAfterResponse`), best effort like
 * `discardAvatar`: the answer already holds the new one.
 *
 * @example discardAvatarLater(updated.previousAvatarKey);
 */
export function discardAvatarLater(key: string): void {
  runAfterResponse(`deleting replaced avatar ${key}`, () => discardAvatar(key));
}
