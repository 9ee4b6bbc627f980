import { requireUser } from '../lib/current-user.js';
import { endpoint, preflight } from '../lib/endpoint.js';
import { json } from '../lib/respond.js';
import { toPublicUser } from '../lib/schemas/user.js';

/** GET /api/me: the signed-in user. 401 without a valid, unrevoked token of an unblocked user. */
export const GET = endpoint(async (request) => json(toPublicUser(await requireUser(request))));

export const OPTIONS = preflight(['GET']);
