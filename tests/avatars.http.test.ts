import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineAvatarSuite, form, type Transport } from './avatars-suite.js';
import { startDevServerProcess } from './support/dev-server-process.js';
import { startFakeCloudinary, type FakeCloudinary } from './support/fake-cloudinary.js';
import { newAccount } from './support/http.js';
import { tinyJpeg, tinyPng } from './support/images.js';

type DevServer = Awaited<ReturnType<typeof startDevServerProcess>>;

function overHttp(server: () => DevServer): Transport {
  return {
    send(method, path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      if (init.token) headers.authorization = `Bearer ${init.token}`;
      return fetch(server().url + path, { method, headers, body: init.body });
    },
  };
}

let fake: FakeCloudinary;
let withCloudinary: DevServer;
beforeAll(async () => {
  fake = await startFakeCloudinary();
  withCloudinary = await startDevServerProcess({ CLOUDINARY_URL: fake.cloudinaryUrl });
});
afterAll(async () => {
  await withCloudinary?.stop();
  await fake?.close();
});

defineAvatarSuite('over HTTP on npm run dev', () => ({ transport: overHttp(() => withCloudinary), cloudinary: fake }));

describe('avatars on npm run dev without Cloudinary (the embedded default)', () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await startDevServerProcess();
  });
  afterAll(() => server?.stop());
  const api = overHttp(() => server);

  it('says it keeps avatars in files', () => {
    expect(server.output()).toContain(`avatars: files in ${server.dataDir}/avatars`);
  });

  it('registers with an avatar, serves the same bytes at avatar_url, and replaces it with PATCH', async () => {
    const png = tinyPng(6, 6, [10, 200, 30]);
    const registered = await api.send('POST', '/api/register', { body: form(newAccount(), [{ bytes: png, filename: 'me.gif', type: 'image/gif' }]) });
    expect(registered.status).toBe(201);
    const { user, access_token } = await registered.json();
    expect(user.avatar_url).toMatch(new RegExp(`^${server.url}/avatars/[0-9a-f]{32}\\.png$`));
    const image = await fetch(user.avatar_url);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(Buffer.compare(Buffer.from(await image.arrayBuffer()), png)).toBe(0);

    const jpeg = tinyJpeg();
    const patched = await api.send('PATCH', '/api/me', { token: access_token, body: form({}, [{ bytes: jpeg, filename: 'me.jpg', type: 'image/jpeg' }]) });
    expect(patched.status).toBe(200);
    const updated = await patched.json();
    // Named and served as the JPEG its bytes are, not as the type of the avatar before it.
    expect(updated.avatar_url).toMatch(new RegExp(`^${server.url}/avatars/[0-9a-f]{32}\\.jpg$`));
    const next = await fetch(updated.avatar_url);
    expect(next.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.compare(Buffer.from(await next.arrayBuffer()), jpeg)).toBe(0);
    expect((await fetch(user.avatar_url)).status).toBe(404);
    expect(readdirSync(join(server.dataDir, 'avatars'))).toEqual([updated.avatar_url.split('/').pop()]);
  });

  it('gives the avatar URL on the host each request named, not the one it was uploaded through: it keeps working when the port or address changes', async () => {
    const registered = await api.send('POST', '/api/register', { body: form(newAccount(), [{ bytes: tinyPng(), filename: 'me.png' }]) });
    const { user, access_token } = await registered.json();
    expect(user.avatar_url).toMatch(new RegExp(`^${server.url}/avatars/`));
    const port = new URL(server.url).port;
    // The same account asked for through another name of this machine (another port, once restarted, alike).
    const body = await new Promise<string>((resolve, reject) => {
      const asked = request(`${server.url}/api/me`, { headers: { host: `lan-box.example.test:${port}`, authorization: `Bearer ${access_token}` } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve(text));
      });
      asked.on('error', reject).end();
    });
    const file = user.avatar_url.split('/').pop();
    expect(JSON.parse(body).avatar_url).toBe(`http://lan-box.example.test:${port}/avatars/${file}`);
  });

  it('stores no file for a sign-up refused as taken', async () => {
    const taken = newAccount();
    expect((await api.send('POST', '/api/register', { body: JSON.stringify(taken), headers: { 'content-type': 'application/json' } })).status).toBe(201);
    const before = readdirSync(join(server.dataDir, 'avatars'));
    const clash = await api.send('POST', '/api/register', { body: form(newAccount({ email: taken.email.toUpperCase() }), [{ bytes: tinyPng(), filename: 'a.png' }]) });
    expect(clash.status).toBe(409);
    expect(readdirSync(join(server.dataDir, 'avatars'))).toEqual(before);
  });

  it('serves only avatar file names, nothing else from the data folder', async () => {
    expect((await fetch(`${server.url}/avatars/secrets.json`)).status).toBe(404);
    expect((await fetch(`${server.url}/avatars/..%2Fsecrets.json`)).status).toBe(404);
  });
});
