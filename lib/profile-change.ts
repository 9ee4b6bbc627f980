import { runAfterResponse } from './background.js';
import type { UserRow } from './db/schema.js';
import { mayHaveRun } from './db/unavailable.js';

// What a profile change (PATCH /api/me) sets off besides its write.

/**
 * Mails the old address, after the response, that the account's email was changed (or may have
 * been: `uncertain`); see lib/email-change-notice.ts. Imported on first use: the notice's limit
 * needs the Redis client, which GET /api/me never does.
 *
 * @example if (emailChanged) tellOldAddressLater(previousEmail, changed.email);
 */
export function tellOldAddressLater(from: string, to: string, options: { uncertain?: boolean } = {}): void {
  runAfterResponse('email change notice', async () => (await import('./email-change-notice.js')).sendEmailChangeNotice(from, to, options));
}

/**
 * The write failed (a 503 follows). When it may have landed all the same (the connection was lost,
 * or its deadline passed, with the statement out), what a landed write sets off is done as far as
 * is safe: the old address is told its email may have changed (as reset-password tells the owner:
 * a needless notice is the lesser harm than a takeover unheard of), and the avatar the write would
 * have replaced is logged for a manual check, not deleted, since it may still be the user's; and
 * the request's limit slots stay counted (`keepSlots`), since the change may have been made.
 *
 * `newEmail`: the address the write sets, when it is another address than the account's (in any
 * letter case). The notice goes to the address read at the request's start: should a racing change
 * have replaced it since, that one is told instead of the latest, which only an outage's timing allows.
 *
 * @example await updateUser(id, version, changes).catch((error: unknown) => afterFailedProfileWrite({ user, newEmail: renamed.email, replacesAvatar: Boolean(avatar), keepSlots: slots.keep }, error));
 */
export function afterFailedProfileWrite(
  { user, newEmail, replacesAvatar, keepSlots }: { user: UserRow; newEmail: string | undefined; replacesAvatar: boolean; keepSlots: () => void },
  error: unknown,
): never {
  if (mayHaveRun(error)) {
    keepSlots();
    if (newEmail !== undefined) tellOldAddressLater(user.email, newEmail, { uncertain: true });
    if (replacesAvatar && user.avatarKey) {
      console.error(`avatar ${user.avatarKey} may be replaced: the database failed during the write, which may have stored the change; delete it by hand if no user has it`);
    }
  }
  throw error;
}
