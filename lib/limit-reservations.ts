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
 * One whose change may have been made all the same (a write out when the database was lost) keeps
 * every slot: the handler says so with `keep`.
 * A 429 keeps the slots the request took before it, like any 4xx: a request refused after its
 * names were looked up must not get back the slot that paid for the lookup. The slots reserved
 * together with the one refused go back, though: nothing was done for them yet, and keeping them
 * would let one limit spend another's (one account's refused retries the address's budget, or
 * others' changes behind one address an account's own).
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
      const { enforceTogether, giveBackIfTaken, reserveSlot } = await rateLimits();
      const these = limits.map((limit): [RateLimitName, string, Promise<Slot | undefined>] => {
        const [name, by] = typeof limit === 'string' ? [limit, subject] : limit;
        return [name, by, reserveSlot(name, by)];
      });
      reserved.push(...these);
      try {
        await enforceTogether(these.map(([, , slot]) => slot));
      } catch (error) {
        if (error instanceof HttpError && error.status === 429) {
          for (const entry of these) reserved.splice(reserved.indexOf(entry), 1);
          for (const [name, by, slot] of these) await giveBackIfTaken(name, by, slot);
        }
        throw error;
      }
    },
    /** Keeps every slot reserved so far counted, whatever follows: what they paid for may have been done. */
    keep(): void {
      reserved.length = 0;
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
