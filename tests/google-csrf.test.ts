import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar } from './support/cookie-jar.js';
import { useDatabase } from './support/database.js';
import { authorizeAtProvider, followCallback, startGoogleRig, type GoogleRig } from './support/google-flow.js';
import { problemOf } from './support/http.js';

// Login CSRF through the second leg: an exchange code from someone else's sign-in must not sign
// this browser in. The frontend binds the code to itself with a PKCE-style pair (RFC 7636, S256):
// `code_challenge` at /api/google/start, `code_verifier` at /api/google/exchange.

let rig: GoogleRig;
let cleanupDb: () => Promise<void>;
beforeAll(async () => {
  cleanupDb = await useDatabase('pglite');
  rig = await startGoogleRig();
});
afterAll(async () => {
  await rig?.close();
  await cleanupDb?.();
});

let counter = 0;
function account(): string {
  const login = `csrf-${Date.now().toString(36)}-${counter++}`;
  rig.provider.setAccount(login, { email: `${login}@example.com`, email_verified: true, name: login });
  return login;
}

/** A frontend's pair: a random verifier it keeps, and the challenge it sends to start. */
function verifierPair() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** One browser's whole sign-in as `login`, started with `challenge` (or none); the code it ends with. */
async function signIn(login: string, challenge?: string): Promise<string> {
  const jar = new CookieJar();
  const started = await jar.fetch(`${rig.app.url}/api/google/start${challenge ? `?code_challenge=${challenge}` : ''}`);
  expect(started.status).toBe(302);
  const callbackUrl = await authorizeAtProvider(jar, new URL(started.headers.get('location')!), rig.app.url, login);
  const { code, error } = await followCallback(jar, callbackUrl);
  expect(error).toBeNull();
  return code!;
}

/** The frontend's exchange, from the frontend's origin as the README's snippet makes it. */
function exchange(body: { code: string; code_verifier?: string }) {
  return fetch(`${rig.app.url}/api/google/exchange`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: new URL(process.env.FRONTEND_CALLBACK_URL!).origin },
    body: JSON.stringify(body),
  });
}

async function signedInEmail(traded: Response): Promise<string> {
  expect(traded.status).toBe(200);
  const { access_token } = await traded.json();
  const me = await fetch(`${rig.app.url}/api/me`, { headers: { authorization: `Bearer ${access_token}` } });
  return (await me.json()).email;
}

async function expectInvalidCode(traded: Response) {
  expect(traded.status).toBe(400);
  expect((await problemOf(traded)).type).toBe('urn:problem:invalid_code');
}

describe("a frontend that sends a verifier cannot be signed into someone else's account", () => {
  it("refuses the attacker's code, minted without a challenge, in a victim's frontend that holds a verifier, and the code is used up", async () => {
    const attacker = account();
    const code = await signIn(attacker); // the attacker stops at the callback's redirect and keeps the code
    // The victim opens FRONTEND_CALLBACK_URL?code=<attacker's code>; their frontend sends its verifier.
    await expectInvalidCode(await exchange({ code, code_verifier: verifierPair().verifier }));
    await expectInvalidCode(await exchange({ code })); // used up: not even its maker gets it back
  });

  it("refuses the attacker's code minted with the attacker's own challenge", async () => {
    const attacker = account();
    const attackersPair = verifierPair();
    const code = await signIn(attacker, attackersPair.challenge);
    await expectInvalidCode(await exchange({ code, code_verifier: verifierPair().verifier }));
    await expectInvalidCode(await exchange({ code, code_verifier: attackersPair.verifier })); // used up by the refusal
  });

  it('a code bound to a challenge needs its verifier: without one it is refused and used up', async () => {
    const pair = verifierPair();
    const code = await signIn(account(), pair.challenge);
    await expectInvalidCode(await exchange({ code }));
    await expectInvalidCode(await exchange({ code, code_verifier: pair.verifier }));
  });
});

describe('the browser that started the sign-in', () => {
  it('trades its code with its verifier; a frontend that sends neither challenge nor verifier signs in as before', async () => {
    const login = account();
    const pair = verifierPair();
    expect(await signedInEmail(await exchange({ code: await signIn(login, pair.challenge), code_verifier: pair.verifier }))).toBe(`${login}@example.com`);
    expect(await signedInEmail(await exchange({ code: await signIn(login) }))).toBe(`${login}@example.com`);
  });

  it('is told at once when its challenge or verifier is malformed (422 naming the field)', async () => {
    const start = await fetch(`${rig.app.url}/api/google/start?code_challenge=${'x'.repeat(42)}`, { redirect: 'manual' });
    expect(start.status).toBe(422);
    expect((await problemOf(start)).errors).toEqual([{ field: 'code_challenge', message: expect.stringMatching(/base64url SHA-256/) }]);
    expect(start.headers.getSetCookie()).toEqual([]);
    const method = await fetch(`${rig.app.url}/api/google/start?code_challenge=${verifierPair().challenge}&code_challenge_method=plain`, { redirect: 'manual' });
    expect(method.status).toBe(422);
    // One character more than a SHA-256 in base64url is no challenge either.
    const long = await fetch(`${rig.app.url}/api/google/start?code_challenge=${'x'.repeat(44)}`, { redirect: 'manual' });
    expect(long.status).toBe(422);
    // RFC 7636's verifier: 43 to 128 characters of its alphabet; one short of either end is refused.
    for (const verifier of ['too short', 'v'.repeat(42), 'v'.repeat(129)]) {
      const traded = await exchange({ code: 'x'.repeat(43), code_verifier: verifier });
      expect(traded.status, verifier).toBe(422);
      expect((await problemOf(traded)).errors, verifier).toEqual([{ field: 'code_verifier', message: expect.stringMatching(/RFC 7636/) }]);
    }
    // A field it does not take (here the verifier under another name) is refused too, never ignored.
    const misnamed = await exchange({ code: 'x'.repeat(43), codeVerifier: 'v'.repeat(43) } as never);
    expect(misnamed.status).toBe(422);
  });
});
