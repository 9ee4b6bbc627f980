import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as login } from '../api/login.js';
import { GET as me } from '../api/me.js';
import { getDb } from '../lib/db/client.js';
import { users } from '../lib/db/schema.js';
import openapi from '../lib/openapi/openapi.json' with { type: 'json' };
import { PublicUser } from '../lib/schemas/user.js';
import { useDatabase } from './support/database.js';
import { bearerRequest, jsonRequest } from './support/http.js';

// Accounts moved over from the FastAPI original with the README's "Moving from the FastAPI service"
// steps: the original checked neither usernames nor addresses, and its Google users got their
// Google display name (or, without one, their address) as username. README: "Usernames keep their
// spelling". GET /api/me must still answer what the OpenAPI document promises.
describe('accounts moved over from the FastAPI original', () => {
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    cleanup = await useDatabase('pglite');
  });
  afterAll(() => cleanup());

  it.each([
    ['a user named by a Google display name', 'Ada Lovelace', 'ada@example.com'],
    ['a user named by an address (a Google user without a name)', 'grace@example.com', 'grace@example.com'],
    ['a user with a two-letter name', 'al', 'al@example.com'],
    ['a user whose address the original never checked', 'linus', 'linus'],
  ])('GET /api/me answers %s with a body that fits the documented PublicUser', async (_, username, email) => {
    const password = 'the original password';
    await (await getDb()).insert(users).values({ username, email, passwordHash: bcrypt.hashSync(password, 4) });
    const signedIn = await login(jsonRequest('/api/login', { username, password }));
    expect(signedIn.status).toBe(200);
    const profile = await me(bearerRequest('/api/me', (await signedIn.json()).access_token));
    expect(profile.status).toBe(200);
    const body = await profile.json();
    expect(body.username).toBe(username);
    // The schema the OpenAPI document's PublicUser is generated from, and the document itself.
    expect(PublicUser.safeParse(body).error).toBeUndefined();
    const documented = (openapi as any).components.schemas.PublicUser.properties;
    expect(documented.username).not.toHaveProperty('pattern');
    expect(documented.username).not.toHaveProperty('minLength');
    expect(documented.email).not.toHaveProperty('format');
  });
});
