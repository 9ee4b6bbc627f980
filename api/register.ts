import { readInputWithAvatar } from '../lib/avatar-input.js';
import { withStoredAvatar } from '../lib/avatars.js';
import { clientIp } from '../lib/client-ip.js';
import { refuseForeignForm } from '../lib/cors.js';
import { endpoint } from '../lib/endpoint.js';
import { otherMethods } from '../lib/other-methods.js';
import { hashPassword } from '../lib/passwords.js';
import { enforceLimit } from '../lib/rate-limit.js';
import { json } from '../lib/respond.js';
import { RegisterRequest, type RegisterResponse } from '../lib/schemas/auth.js';
import { toPublicUser } from '../lib/schemas/user.js';
import { issueAccessToken } from '../lib/tokens.js';
import { assertAvailable, createUser } from '../lib/users.js';
import { parseInput } from '../lib/validate.js';

const FIELDS = Object.keys(RegisterRequest.shape);

/**
 * POST /api/register: sign up and sign in at once, as JSON or as multipart with an optional
 * `avatar` file. 201 user + token; 409 taken; 422 invalid; 413/415 bad avatar; 502 the avatar
 * could not be stored. The avatar is uploaded before the row is inserted and deleted again if
 * the insert fails, so a failed sign-up leaves neither a user nor an upload.
 */
export const POST = endpoint(async (request) => {
  refuseForeignForm(request);
  await enforceLimit('registerIp', clientIp(request));
  const { input: raw, avatar } = await readInputWithAvatar(request, FIELDS);
  const input = parseInput(RegisterRequest, raw);
  // Only worth a round trip when there is an upload to spare; without one the insert decides.
  if (avatar) await assertAvailable(input);
  const passwordHash = await hashPassword(input.password);
  const user = await withStoredAvatar(avatar, (stored) =>
    createUser({
      username: input.username,
      email: input.email,
      fullName: input.full_name || null,
      passwordHash,
      avatarUrl: stored?.url ?? null,
      avatarKey: stored?.key ?? null,
    }),
  );
  const body: RegisterResponse = { user: toPublicUser(user, request), ...(await issueAccessToken(user)) };
  return json(body, 201);
});

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
