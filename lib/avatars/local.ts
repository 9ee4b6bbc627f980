import { randomBytes } from 'node:crypto';
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AvatarStore } from './store.js';

/** The URL path under which the dev server serves `DATA_DIR/avatars`. */
export const LOCAL_AVATAR_PATH = '/avatars/';

/** A file name this store could have made: random hex and a known extension (no path tricks). */
export const LOCAL_AVATAR_FILE = /^[0-9a-f]{32}\.(png|jpg|gif|webp)$/;

/**
 * The embedded default outside production: avatars as files in `dir`, served by the dev server
 * at `/avatars/<file>` (the URL kept is that path: see StoredAvatar). Kept as uploaded; the square
 * crop is Cloudinary's job.
 *
 * @example const stored = await localAvatarStore('.data/avatars').save(image); // { url: '/avatars/….png', key: '….png' }
 */
export function localAvatarStore(dir: string): AvatarStore {
  return {
    async save(image) {
      const file = `${randomBytes(16).toString('hex')}.${image.type.extension}`;
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, file), image.bytes, { flag: 'wx' });
      return { url: `${LOCAL_AVATAR_PATH}${file}`, key: file };
    },
    async remove(key) {
      if (!LOCAL_AVATAR_FILE.test(key)) return;
      await unlink(join(dir, key)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    },
  };
}
