import { readBody } from '../lib/body.js';
import { clientIp } from '../lib/client-ip.js';
import { endpoint, preflight } from '../lib/endpoint.js';
import { hashPassword } from '../lib/passwords.js';
import { enforceLimit } from '../lib/rate-limit.js';
import { json } from '../lib/respond.js';
import { RegisterRequest, type RegisterResponse } from '../lib/schemas/auth.js';
import { toPublicUser } from '../lib/schemas/user.js';
import { issueAccessToken } from '../lib/tokens.js';
import { createUser } from '../lib/users.js';
import { parseInput } from '../lib/validate.js';

/** POST /api/register: sign up and sign in at once. 201 user + token; 409 taken; 422 invalid. */
export const POST = endpoint(async (request) => {
  await enforceLimit('registerIp', clientIp(request));
  const input = parseInput(RegisterRequest, await readBody(request, ['json']));
  const user = await createUser({
    username: input.username,
    email: input.email,
    fullName: input.full_name ?? null,
    passwordHash: await hashPassword(input.password),
  });
  const body: RegisterResponse = { user: toPublicUser(user), ...(await issueAccessToken(user)) };
  return json(body, 201);
});

export const OPTIONS = preflight(['POST']);
