import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useDatabase } from './support/database.js';
import { CookieJar } from './support/cookie-jar.js';
import { authorizeAtProvider, followCallback, startGoogleRig, type GoogleRig } from './support/google-flow.js';

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

describe('smoke', () => {
  it('signs in', async () => {
    rig.provider.setAccount('sub-1', { email: 'a@example.com', email_verified: true, name: 'A' });
    const jar = new CookieJar();
    const start = await jar.fetch(`${rig.app.url}/api/google/start`);
    console.log(start.status, start.headers.get('location'), start.headers.getSetCookie());
    const cb = await authorizeAtProvider(jar, new URL(start.headers.get('location')!), rig.app.url, 'sub-1');
    console.log(cb.toString());
    const r = await followCallback(jar, cb);
    console.log(r.location.toString());
    expect(r.code).toBeTruthy();
  });
});
