import { readInputWithAvatar } from '../lib/avatar-input.js';
import { discardAvatarLater, withStoredAvatar } from '../lib/avatars.js';
import { clientIp } from '../lib/client-ip.js';
import { requireUser } from '../lib/current-user.js';
import { endpoint } from '../lib/endpoint.js';
import { otherMethods } from '../lib/other-methods.js';
import { unprocessable } from '../lib/http-errors.js';
import { problems } from '../lib/problems.js';
import { afterFailedProfileWrite, tellOldAddressLater } from '../lib/profile-change.js';
import { limitReservations } from '../lib/limit-reservations.js';
import { json } from '../lib/respond.js';
import { PROFILE_FORM_FIELDS, UpdateProfileForm, UpdateProfileRequest } from '../lib/schemas/profile.js';
import { toPublicUser } from '../lib/schemas/user.js';
import { assertAvailable, updateUser } from '../lib/users.js';
import { parseInput } from '../lib/validate.js';

/** GET /api/me: the signed-in user. 401 without a valid, unrevoked token of an unblocked user. */
export const GET = endpoint(async (request) => json(toPublicUser(await requireUser(request), request)));

/**
 * PATCH /api/me: change any of username, email, full_name (JSON or multipart) and avatar
 * (a file in multipart; `"avatar": null` in JSON removes it). 200 the public user; 409 taken; 429
 * past RATE_LIMIT_PROFILE_USER changes of username or email per account or RATE_LIMIT_PROFILE_IP
 * per client address, or RATE_LIMIT_AVATAR_USER uploads (display-name changes and removals are
 * not limited). A changed email is no longer verified, and
 * the old address is told of the change after the response. The old avatar is deleted only once
 * the new one's URL is stored, so the user is never left without one, and after the response, so
 * a slow or failing Cloudinary does not hold the answer.
 */
export const PATCH = endpoint(async (request) => {
  const user = await requireUser(request);
  const { input: raw, avatar, form } = await readInputWithAvatar(request, PROFILE_FORM_FIELDS);
  const input = parseInput(form ? UpdateProfileForm : UpdateProfileRequest, raw);
  // A form's empty username or email is there, as undefined: no change either.
  if (Object.values(input).every((value) => value === undefined) && !avatar) {
    throw unprocessable([{ field: '', message: `Send at least one of ${[...PROFILE_FORM_FIELDS, 'avatar'].join(', ')}.` }]);
  }
  // A name sent as it already is (a profile form saves every field) is no change: not counted and
  // not looked up (a username in other letter case is a change; an email comes lower-cased, and
  // is compared with the account's lower-cased, as an imported row may keep capitals). It is
  // written all the same: should the account change meanwhile, the request still leaves what it
  // sent, and the unique index still refuses a name another account has taken since.
  const renamed = {
    username: input.username !== user.username ? input.username : undefined,
    email: input.email !== user.email.toLowerCase() ? input.email : undefined,
  };
  // A new file, or `"avatar": null`: the avatar the row had is replaced.
  const replacesAvatar = Boolean(avatar) || input.avatar === null;
  const slots = limitReservations(user.id);
  const change = async () => {
    // Counted before the names are looked up, taken or not: the 409 would otherwise tell any
    // signed-in account, as fast as it can ask, which emails have an account here. Per client
    // address too, else each account a client signs up (RATE_LIMIT_REGISTER_IP) adds its own
    // budget of such lookups, and a client's rate grows for as long as it keeps signing up.
    if (renamed.username !== undefined || renamed.email !== undefined) await slots.reserve('profileUser', ['profileIp', clientIp(request)]);
    await assertAvailable(renamed, user.id);
    // Each upload costs the Cloudinary account quota and bandwidth: a signed-in user gets a few an hour.
    if (avatar) await slots.reserve('avatarUser');
    return withStoredAvatar(avatar, async (stored) => {
      const result = await updateUser(user.id, user.tokenVersion, {
        username: input.username,
        email: input.email,
        ...(input.full_name !== undefined ? { fullName: input.full_name || null } : {}),
        ...(stored ? { avatarUrl: stored.url, avatarKey: stored.key } : input.avatar === null ? { avatarUrl: null, avatarKey: null } : {}),
      }).catch((error: unknown) => afterFailedProfileWrite({ user, newEmail: renamed.email, replacesAvatar, keepSlots: slots.keep }, error));
      // Deleted, blocked or signed out by a password reset while the request ran.
      if (!result) throw problems.badToken();
      return result;
    });
  };
  const { user: changed, previousAvatarKey, previousEmail, emailChanged } = await change().catch(slots.giveBackAndThrow);
  if (replacesAvatar && previousAvatarKey) discardAvatarLater(previousAvatarKey);
  // Both read under the row lock of the update: of racing changes, each tells the address it replaced.
  if (emailChanged) tellOldAddressLater(previousEmail, changed.email);
  return json(toPublicUser(changed, request));
});

export const { OPTIONS, HEAD, POST, PUT, DELETE } = otherMethods({ GET, PATCH });
