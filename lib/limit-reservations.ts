import { AvatarUploadUnconfirmedError } from './avatars/store.js';
import type { RateLimitName } from './config.js';
import { HttpError } from './http-errors.js';
import type { Slot } from './rate-limit.js';

// The limits, and the Redis client with them, are loaded once a slot is reserved: a request that
// reserves none (GET /api/me, a display-name change) never loads them.
const rateLimits = () => import('./rate-limit.js');

/**
 * The limit slots one request reserves as it goes, for the subject it acts for unless another is
 * named (`reserve`), and their return when it then fails on our side or a service's
 * (`giveBackAndThrow`, after the response: nothing was done, and trying again must not be spent by it).
 * Decision: a request refused for the client's own fault (any 4xx: a name taken, an image
 * Cloudinary cannot read) keeps its slots counted; one whose upload went out and got no answer (a
 * 502 caused by AvatarUploadUnconfirmedError) keeps its avatar upload slot: Cloudinary may have
 * processed it. Its other slots (a name change in the same request, never written) go back.
 * A 429 keeps the slots the request's other limits took, like any 4xx: a request refused after
 * its names were looked up must not get back the slot that paid for the lookup.
 *
 * @example const slots = limitReservations(user.id); await slots.reserve('avatarUser').then(upload).catch(slots.giveBackAndThrow);
 */
export function limitReservations(subject: string) {
  const reserved: [RateLimitName, string, Promise<Slot | undefined>][] = [];
  return {
    /**
     * Reserves a slot of each limit named, all in one round trip, for the request's subject or
     * the one given beside the name (`['profileIp', ip]`); past any of them, the refusal with the
     * longest wait is thrown (`enforceTogether`).
     */
    async reserve(...limits: (RateLimitName | readonly [RateLimitName, string])[]): Promise<void> {
      const { enforceTogether, reserveSlot } = await rateLimits();
      const slots = limits.map((limit) => {
        const [name, by] = typeof limit === 'string' ? [limit, subject] : limit;
        const slot = reserveSlot(name, by);
        reserved.push([name, by, slot]);
        return slot;
      });
      await enforceTogether(slots);
    },
    async giveBackAndThrow(error: unknown): Promise<never> {
      const clientsFault = error instanceof HttpError && error.status < 500;
      const uploadSpent = error instanceof HttpError && error.cause instanceof AvatarUploadUnconfirmedError;
      for (const [name, by, slot] of reserved) {
        if (clientsFault || (uploadSpent && name === 'avatarUser')) continue;
        await (await rateLimits()).giveBackIfTaken(name, by, slot);
      }
      throw error;
    },
  };
}
