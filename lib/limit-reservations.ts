import { AvatarUploadUnconfirmedError } from './avatars/store.js';
import type { RateLimitName } from './config.js';
import { HttpError } from './http-errors.js';
import type { Slot } from './rate-limit.js';

// The limits, and the Redis client with them, are loaded once a slot is reserved: a request that
// reserves none (GET /api/me, a display-name change) never loads them.
const rateLimits = () => import('./rate-limit.js');

/**
 * The limit slots one request reserves as it goes, all for the subject it acts for (`reserve`), and
 * their return when it then fails on our side or a service's (`giveBackAndThrow`, after the
 * response: nothing was done, and trying again must not be spent by it).
 * Decision: a request refused for the client's own fault (any 4xx: a name taken, an image
 * Cloudinary cannot read) keeps its slots counted; one whose upload went out and got no answer (a
 * 502 caused by AvatarUploadUnconfirmedError) keeps its avatar upload slot: Cloudinary may have
 * processed it. Its other slots (a name change in the same request, never written) go back.
 *
 * @example const slots = limitReservations(user.id); await slots.reserve('avatarUser').then(upload).catch(slots.giveBackAndThrow);
 */
export function limitReservations(subject: string) {
  const reserved: [RateLimitName, Promise<Slot | undefined>][] = [];
  return {
    async reserve(name: RateLimitName): Promise<void> {
      const slot = (await rateLimits()).reserveSlot(name, subject);
      reserved.push([name, slot]);
      await slot;
    },
    async giveBackAndThrow(error: unknown): Promise<never> {
      const clientsFault = error instanceof HttpError && error.status < 500;
      const uploadSpent = error instanceof HttpError && error.cause instanceof AvatarUploadUnconfirmedError;
      for (const [name, slot] of reserved) {
        if (clientsFault || (uploadSpent && name === 'avatarUser')) continue;
        await (await rateLimits()).giveBackIfTaken(name, subject, slot);
      }
      throw error;
    },
  };
}
