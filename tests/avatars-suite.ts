import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as me from '../api/me.js';
import * as registration from '../api/register.js';
import type { FakeCloudinary } from './support/fake-cloudinary.js';
import { BASE, problemOf, newAccount } from './support/http.js';
import { tinyJpeg, tinyPng } from './support/images.js';
import { multipart, type Part } from './support/multipart.js';

/** How the suite reaches the API: the handlers called directly, or the dev server over HTTP. */
export interface Transport {
  send(method: string, path: '/api/register' | '/api/me', init?: { body?: BodyInit; token?: string; headers?: Record<string, string> }): Promise<Response>;
}

const MAX_BYTES = 2 * 1024 * 1024;

/** A multipart body of these text fields and files (`avatar` unless named otherwise), encoded. */
export function form(fields: Record<string, string>, files: { name?: string; bytes: Uint8Array; filename: string; type?: string }[] = []): Blob {
  return multipart([...Object.entries(fields), ...files.map((file): Part => [file.name ?? 'avatar', { bytes: file.bytes, filename: file.filename, type: file.type ?? 'application/octet-stream' }])]);
}

const handlers: Record<string, Record<string, (request: Request) => Promise<Response>>> = {
  '/api/register': registration as never,
  '/api/me': me as never,
};

/** Calls the api/ method exports directly with Web Requests. */
export const handlerTransport: Transport = {
  send(method, path, init = {}) {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    const handler = handlers[path]![method]!;
    return handler(new Request(BASE + path, { method, headers, body: init.body }));
  },
};

/**
 * The avatar cases of issue #6 against Cloudinary (played by the fake), run once at handler level
 * and once over HTTP against `npm run dev`. "No user" is shown through the API itself: the same
 * username and email can still sign up afterwards.
 */
export function defineAvatarSuite(name: string, setup: () => { transport: Transport; cloudinary: FakeCloudinary }): void {
  describe(`avatars on Cloudinary, ${name}`, () => {
    let api: Transport;
    let fake: FakeCloudinary;
    beforeEach(() => {
      ({ transport: api, cloudinary: fake } = setup());
      fake.beforeUploadAnswer = undefined;
    });

    const register = (fields: Record<string, string>, files: Parameters<typeof form>[1] = []) =>
      api.send('POST', '/api/register', { body: form(fields, files) });

    async function expectStillFree(account: ReturnType<typeof newAccount>) {
      const again = await api.send('POST', '/api/register', { body: JSON.stringify(account), headers: { 'content-type': 'application/json' } });
      expect(again.status).toBe(201);
    }

    async function signUpWith(bytes: Uint8Array, filename: string, type: string) {
      const account = newAccount({ full_name: 'Ada' });
      const response = await register(account, [{ bytes, filename, type }]);
      expect(response.status, await response.clone().text()).toBe(201);
      const body = await response.json();
      const asset = [...fake.assets.values()].find((a) => body.user.avatar_url.endsWith(`/${a.publicId}.${body.user.avatar_url.split('.').pop()}`));
      return { account, body, asset };
    }

    it('accepts a real PNG: uploaded signed, into the folder, with a square crop; the secure_url is kept', async () => {
      const png = tinyPng(3, 5);
      const { account, body, asset } = await signUpWith(png, 'me.png', 'image/png');
      expect(body.user).toMatchObject({ username: account.username, full_name: 'Ada' });
      expect(body.user.avatar_url).toMatch(/^https:\/\/res\.cloudinary\.com\/fake-cloud\/image\/upload\/v\d+\/avatars\/[0-9a-f]+\.png$/);
      expect(asset).toBeDefined();
      expect(Buffer.compare(asset!.bytes, png)).toBe(0);
      // The id is chosen by the service, inside the folder, so a lost answer can still be cleaned up.
      expect(asset!.params.public_id).toMatch(/^avatars\/[0-9a-f]{24}$/);
      expect(asset!.publicId).toBe(asset!.params.public_id);
      expect(asset!.params.transformation).toMatch(/c_fill/);
      expect(asset!.params.transformation).toMatch(/h_256/);
      expect(asset!.params.transformation).toMatch(/w_256/);
      // Face-aware, as the README promises (c_fill,g_face): a centre crop would cut heads off.
      expect(asset!.params.transformation).toMatch(/g_face/);
      const me = await api.send('GET', '/api/me', { token: body.access_token });
      expect((await me.json()).avatar_url).toBe(body.user.avatar_url);
    });

    it('accepts a real JPEG', async () => {
      const { body, asset } = await signUpWith(tinyJpeg(), 'me.jpeg', 'image/jpeg');
      expect(body.user.avatar_url).toMatch(/\.jpg$/);
      expect(Buffer.compare(asset!.bytes, tinyJpeg())).toBe(0);
    });

    it('takes a PNG named .gif (declared image/gif) as the PNG it is', async () => {
      const { body } = await signUpWith(tinyPng(), 'me.gif', 'image/gif');
      expect(body.user.avatar_url).toMatch(/\.png$/);
    });

    it('refuses a text file named .png with 415, uploading nothing and creating no user', async () => {
      const account = newAccount();
      const calls = fake.calls.length;
      const response = await register(account, [{ bytes: Buffer.from('just some text, not an image\n'), filename: 'me.png', type: 'image/png' }]);
      expect(response.status).toBe(415);
      // Named as the field it is, as a 422 names its fields: a frontend shows it beside the file input.
      expect(await problemOf(response)).toMatchObject({ type: 'urn:problem:unsupported_media_type', errors: [{ field: 'avatar', message: 'Not a PNG, JPEG, WebP or GIF image.' }] });
      expect(fake.calls.length).toBe(calls);
      await expectStillFree(account);
    });

    it('refuses 2 MiB + 1 byte with 413 and accepts exactly 2 MiB', async () => {
      const png = tinyPng();
      const padded = (size: number) => Buffer.concat([png, Buffer.alloc(size - png.length)]);
      const account = newAccount();
      const calls = fake.calls.length;
      const tooBig = await register(account, [{ bytes: padded(MAX_BYTES + 1), filename: 'big.png', type: 'image/png' }]);
      expect(tooBig.status).toBe(413);
      expect(await problemOf(tooBig)).toMatchObject({ type: 'urn:problem:payload_too_large', errors: [{ field: 'avatar', message: `At most ${MAX_BYTES} bytes.` }] });
      expect(fake.calls.length).toBe(calls);
      const justFits = await register(account, [{ bytes: padded(MAX_BYTES), filename: 'big.png', type: 'image/png' }]);
      expect(justFits.status).toBe(201);
    });

    it('refuses two files with 422', async () => {
      const account = newAccount();
      const response = await register(account, [
        { bytes: tinyPng(), filename: 'a.png', type: 'image/png' },
        { bytes: tinyPng(), filename: 'b.png', type: 'image/png' },
      ]);
      expect(response.status).toBe(422);
      expect((await problemOf(response)).errors?.[0]?.field).toBe('avatar');
      await expectStillFree(account);
    });

    it('refuses unknown fields, and a file in another field, with 422 naming them', async () => {
      const account = newAccount();
      const extra = await register({ ...account, is_admin: 'true' }, [{ bytes: tinyPng(), filename: 'a.png', type: 'image/png' }]);
      expect(extra.status).toBe(422);
      expect((await problemOf(extra)).errors?.[0]?.field).toBe('is_admin');
      const misplaced = await register(account, [{ name: 'photo', bytes: tinyPng(), filename: 'a.png', type: 'image/png' }]);
      expect(misplaced.status).toBe(422);
      expect((await problemOf(misplaced)).errors?.[0]?.field).toBe('photo');
      // A known text field sent as a file is refused too, not dropped (which would sign up without it,
      // or leave a profile's email as it was behind a 200).
      const asFile = await register(account, [{ name: 'full_name', bytes: Buffer.from('Ada'), filename: 'name.txt', type: 'text/plain' }]);
      expect(asFile.status).toBe(422);
      expect((await problemOf(asFile)).errors).toEqual([{ field: 'full_name', message: 'Expected text, not a file.' }]);
      const invalid = await register({ ...account, email: 'not-an-email' });
      expect(invalid.status).toBe(422);
      expect((await problemOf(invalid)).errors?.[0]?.field).toBe('email');
      await expectStillFree(account);
    });

    it('refuses a text field that is not UTF-8 (400) and a part without a name (422 naming no field), creating no user', async () => {
      const account = newAccount();
      const raw = (parts: Buffer[]) =>
        registration.POST(new Request(`${BASE}/api/register`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=b' }, body: Buffer.concat(parts) }));
      const field = (name: string, value: Buffer | string) => [Buffer.from(`--b\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`), Buffer.from(value), Buffer.from('\r\n')];
      const fields = (password: Buffer | string) => [...field('username', account.username), ...field('email', account.email), ...field('password', password)];
      // "motdepassé" in Latin-1: read leniently, every such password would have been one password.
      const latin1 = await raw([...fields(Buffer.from('motdepass\xe9', 'latin1')), Buffer.from('--b--\r\n')]);
      expect(latin1.status).toBe(400);
      expect((await problemOf(latin1)).detail).toBe('A text field of the multipart body is not valid UTF-8.');
      // A charset busboy cannot decode: it hands the field over as undefined.
      const shiftJis = await raw([
        ...field('username', account.username),
        ...field('email', account.email),
        Buffer.from('--b\r\nContent-Disposition: form-data; name="password"\r\nContent-Type: text/plain; charset=shift_jis\r\n\r\ncorrect horse battery\r\n'),
        Buffer.from('--b--\r\n'),
      ]);
      expect(shiftJis.status).toBe(400);
      expect((await problemOf(shiftJis)).detail).toBe('A text field of the multipart body is not valid UTF-8.');
      const nameless = await raw([...fields('correct horse battery'), Buffer.from('--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n')]);
      expect(nameless.status).toBe(422);
      expect((await problemOf(nameless)).errors).toEqual([{ field: '', message: 'Unknown field.' }]);
      await expectStillFree(account);
    });

    it('registers by multipart without an avatar, and with an empty file part as browsers send it', async () => {
      const plain = await register(newAccount());
      expect(plain.status).toBe(201);
      expect((await plain.json()).user.avatar_url).toBeNull();
      const empty = await register(newAccount(), [{ bytes: new Uint8Array(), filename: '' }]);
      expect(empty.status).toBe(201);
      expect((await empty.json()).user.avatar_url).toBeNull();
      // An empty file that has a name was chosen: it is no image.
      const account = newAccount();
      const named = await register(account, [{ bytes: new Uint8Array(), filename: 'me.png', type: 'image/png' }]);
      expect(named.status).toBe(415);
      await problemOf(named);
      await expectStillFree(account);
    });

    it('answers 502 when the upload fails, and creates no user', async () => {
      const account = newAccount();
      fake.failNext('upload', 500);
      const response = await register(account, [{ bytes: tinyPng(), filename: 'a.png', type: 'image/png' }]);
      expect(response.status).toBe(502);
      const problem = await problemOf(response);
      expect(problem.type).toBe('urn:problem:bad_gateway');
      expect(problem.detail).not.toMatch(/cloudinary|secret|simulated/i);
      await expectStillFree(account);
    });

    it('deletes an upload Cloudinary stored but never confirmed (the answer was lost): 502, no user, no orphan', async () => {
      const account = newAccount();
      const before = new Set(fake.assets.keys());
      fake.failNext('upload', 0, { afterStoring: true });
      const response = await register(account, [{ bytes: tinyPng(), filename: 'a.png', type: 'image/png' }]);
      expect(response.status).toBe(502);
      const stored = [...fake.assets.keys()].filter((id) => !before.has(id));
      expect(stored).toHaveLength(1); // the lost answer's asset exists at Cloudinary...
      await vi.waitFor(() => expect(fake.calls.at(-1)).toEqual({ action: 'destroy', status: 200, publicId: stored[0] }));
      expect(fake.assets.has(stored[0]!)).toBe(false); // ...until it is deleted after the response
      await expectStillFree(account);
    });

    it('answers 415 for a file Cloudinary cannot read as an image (right first bytes, junk after), and creates no user', async () => {
      const account = newAccount();
      const callsBefore = fake.calls.length;
      const bytes = Buffer.concat([tinyPng().subarray(0, 24), Buffer.from('not the rest of a PNG')]);
      const response = await register(account, [{ bytes, filename: 'a.png', type: 'image/png' }]);
      expect(response.status).toBe(415);
      expect(await problemOf(response)).toMatchObject({ type: 'urn:problem:unsupported_media_type', errors: [{ field: 'avatar', message: 'Not a readable PNG, JPEG, WebP or GIF image.' }] });
      expect(fake.calls.slice(callsBefore)).toEqual([{ action: 'upload', status: 400 }]); // nothing stored, nothing to delete
      await expectStillFree(account);
    });

    it('checks the username and email before any upload: taken in another letter case is a 409 and nothing is uploaded', async () => {
      const taken = newAccount();
      expect((await api.send('POST', '/api/register', { body: JSON.stringify(taken), headers: { 'content-type': 'application/json' } })).status).toBe(201);
      const uploads = () => fake.calls.filter((c) => c.action === 'upload').length;
      const before = uploads();
      const byUsername = await register({ ...newAccount(), username: taken.username.toUpperCase() }, [{ bytes: tinyPng(), filename: 'a.png', type: 'image/png' }]);
      expect(byUsername.status).toBe(409);
      const byEmail = await register({ ...newAccount(), email: taken.email.toUpperCase() }, [{ bytes: tinyPng(), filename: 'a.png', type: 'image/png' }]);
      expect(byEmail.status).toBe(409);
      const { body } = await signUpWith(tinyPng(), 'a.png', 'image/png');
      const afterSignUp = uploads();
      const patch = await api.send('PATCH', '/api/me', { token: body.access_token, body: form({ username: taken.username.toUpperCase() }, [{ bytes: tinyPng(2, 2), filename: 'b.png', type: 'image/png' }]) });
      expect(patch.status).toBe(409);
      // Both taken: one 409 naming both, by the lookup before the upload.
      const both = await register({ ...newAccount(), username: taken.username, email: taken.email }, [{ bytes: tinyPng(), filename: 'a.png', type: 'image/png' }]);
      expect(both.status).toBe(409);
      expect(((await both.json()) as { errors: { field: string }[] }).errors.map((error) => error.field)).toEqual(['username', 'email']);
      const patchBoth = await api.send('PATCH', '/api/me', { token: body.access_token, body: form({ username: taken.username, email: taken.email }, []) });
      expect(patchBoth.status).toBe(409);
      expect(((await patchBoth.json()) as { errors: { field: string }[] }).errors.map((error) => error.field)).toEqual(['username', 'email']);
      expect(afterSignUp - before).toBe(1); // only the sign-up that went through
      expect(uploads()).toBe(afterSignUp);
    });

    it('deletes the uploaded asset when the username was taken during the upload (409)', async () => {
      const account = newAccount();
      const rival = { ...newAccount(), username: account.username };
      fake.beforeUploadAnswer = async () => {
        fake.beforeUploadAnswer = undefined;
        const won = await api.send('POST', '/api/register', { body: JSON.stringify(rival), headers: { 'content-type': 'application/json' } });
        expect(won.status).toBe(201);
      };
      const before = fake.assets.size;
      const response = await register(account, [{ bytes: tinyPng(), filename: 'a.png', type: 'image/png' }]);
      expect(response.status).toBe(409);
      expect((await problemOf(response)).errors?.[0]?.field).toBe('username');
      const uploaded = fake.calls.filter((c) => c.action === 'upload').at(-1)!;
      expect(uploaded.status).toBe(200);
      expect(fake.calls.at(-1)).toEqual({ action: 'destroy', status: 200, publicId: uploaded.publicId });
      expect(fake.assets.has(uploaded.publicId!)).toBe(false);
      expect(fake.assets.size).toBe(before);
    });

    it('PATCH /api/me replaces the avatar, then destroys the old one', async () => {
      const { body, asset: old } = await signUpWith(tinyPng(), 'a.png', 'image/png');
      const response = await api.send('PATCH', '/api/me', { token: body.access_token, body: form({}, [{ bytes: tinyJpeg(), filename: 'b.jpg', type: 'image/jpeg' }]) });
      expect(response.status, await response.clone().text()).toBe(200);
      const user = await response.json();
      expect(user.avatar_url).not.toBe(body.user.avatar_url);
      expect(user.avatar_url).toMatch(/\.jpg$/);
      // After the response (the dev server's background work is not this process's to await).
      await vi.waitFor(() => expect(fake.calls.at(-1)).toEqual({ action: 'destroy', status: 200, publicId: old!.publicId }));
      expect(fake.assets.has(old!.publicId)).toBe(false);
      // Also purged from the CDN's caches, so the old picture stops being served at once.
      expect(fake.destroys.at(-1)).toMatchObject({ public_id: old!.publicId, invalidate: 'true' });
      expect((await (await api.send('GET', '/api/me', { token: body.access_token })).json()).avatar_url).toBe(user.avatar_url);
    });

    it('PATCH {"avatar": null} removes the avatar and destroys its image after the response; again, it changes nothing', async () => {
      const { body, asset: old } = await signUpWith(tinyPng(), 'a.png', 'image/png');
      const remove = () => api.send('PATCH', '/api/me', { token: body.access_token, body: JSON.stringify({ avatar: null }), headers: { 'content-type': 'application/json' } });
      const response = await remove();
      expect(response.status, await response.clone().text()).toBe(200);
      expect((await response.json()).avatar_url).toBeNull();
      await vi.waitFor(() => expect(fake.calls.at(-1)).toEqual({ action: 'destroy', status: 200, publicId: old!.publicId }));
      expect(fake.assets.has(old!.publicId)).toBe(false);
      const calls = fake.calls.length;
      const again = await remove();
      expect(again.status).toBe(200);
      expect((await again.json()).avatar_url).toBeNull();
      expect(fake.calls.length).toBe(calls); // nothing left to destroy
      // Only null means "remove": any other value is a 422 that changes nothing.
      const refused = await api.send('PATCH', '/api/me', { token: body.access_token, body: JSON.stringify({ avatar: 'https://elsewhere.example/me.png' }), headers: { 'content-type': 'application/json' } });
      expect(refused.status).toBe(422);
      expect((await problemOf(refused)).errors?.[0]?.field).toBe('avatar');
    });

    it('two racing avatar replacements: each destroys the one it replaced, only the final avatar remains', async () => {
      const { body, asset: first } = await signUpWith(tinyPng(), 'a.png', 'image/png');
      const replace = (bytes: Uint8Array, filename: string) =>
        api.send('PATCH', '/api/me', { token: body.access_token, body: form({}, [{ bytes, filename, type: 'image/png' }]) });
      const callsBefore = fake.calls.length;
      const answers = await Promise.all([replace(tinyPng(2, 3), 'b.png'), replace(tinyPng(4, 5), 'c.png')]);
      for (const answer of answers) expect(answer.status, await answer.clone().text()).toBe(200);
      const final = (await (await api.send('GET', '/api/me', { token: body.access_token })).json()).avatar_url as string;
      const mine = (url: string) => [...fake.assets.values()].filter((a) => url.includes(`/${a.publicId}.`));
      expect(mine(final)).toHaveLength(1);
      // The two uploads and the first avatar: exactly the final one is left, none destroyed twice.
      const uploaded = [(await answers[0]!.json()).avatar_url, (await answers[1]!.json()).avatar_url] as string[];
      expect(uploaded).toContain(final);
      const loser = uploaded.find((url) => url !== final)!;
      await vi.waitFor(() => expect(fake.calls.slice(callsBefore).filter((c) => c.action === 'destroy')).toHaveLength(2));
      expect(mine(loser)).toHaveLength(0);
      expect(fake.assets.has(first!.publicId)).toBe(false);
      const destroyed = fake.calls.filter((c) => c.action === 'destroy' && c.status === 200).map((c) => c.publicId);
      expect(destroyed.filter((id) => id === first!.publicId)).toHaveLength(1);
    });

    it('PATCH keeps the old avatar when the new upload fails (502), and stores the new URL even if the old one cannot be deleted', async () => {
      const { body, asset: old } = await signUpWith(tinyPng(), 'a.png', 'image/png');
      fake.failNext('upload', 500);
      const failed = await api.send('PATCH', '/api/me', { token: body.access_token, body: form({ full_name: 'Changed' }, [{ bytes: tinyPng(), filename: 'b.png', type: 'image/png' }]) });
      expect(failed.status).toBe(502);
      // The id it tried is deleted after the response, in case Cloudinary stored it anyway (here it had not).
      await vi.waitFor(() => expect(fake.calls.at(-1)).toMatchObject({ action: 'destroy', status: 200 }));
      const unchanged = await (await api.send('GET', '/api/me', { token: body.access_token })).json();
      expect(unchanged).toMatchObject({ avatar_url: body.user.avatar_url, full_name: 'Ada' });
      expect(fake.assets.has(old!.publicId)).toBe(true);

      fake.failNext('destroy', 500);
      const replaced = await api.send('PATCH', '/api/me', { token: body.access_token, body: form({}, [{ bytes: tinyPng(2, 2), filename: 'c.png', type: 'image/png' }]) });
      expect(replaced.status).toBe(200);
      const user = await replaced.json();
      expect(user.avatar_url).not.toBe(body.user.avatar_url);
      expect((await (await api.send('GET', '/api/me', { token: body.access_token })).json()).avatar_url).toBe(user.avatar_url);
      await vi.waitFor(() => expect(fake.calls.at(-1)).toEqual({ action: 'destroy', status: 500 }));
      expect(fake.assets.has(old!.publicId)).toBe(true); // left behind (and logged), never the other way round
    });

    it('PATCH /api/me changes username, email and full name by JSON or multipart; 409 when taken; 422 when empty', async () => {
      const { body } = await signUpWith(tinyPng(), 'a.png', 'image/png');
      const other = newAccount();
      expect((await api.send('POST', '/api/register', { body: JSON.stringify(other), headers: { 'content-type': 'application/json' } })).status).toBe(201);
      const fresh = newAccount();
      const byJson = await api.send('PATCH', '/api/me', {
        token: body.access_token,
        body: JSON.stringify({ username: fresh.username, email: fresh.email.toUpperCase(), full_name: 'Grace' }),
        headers: { 'content-type': 'application/json' },
      });
      expect(byJson.status).toBe(200);
      expect(await byJson.json()).toMatchObject({ username: fresh.username, email: fresh.email, full_name: 'Grace', avatar_url: body.user.avatar_url });
      const byForm = await api.send('PATCH', '/api/me', { token: body.access_token, body: form({ full_name: '' }) });
      expect(byForm.status).toBe(200);
      expect((await byForm.json()).full_name).toBeNull();
      const taken = await api.send('PATCH', '/api/me', { token: body.access_token, body: form({ username: other.username.toUpperCase() }) });
      expect(taken.status).toBe(409);
      expect((await problemOf(taken)).errors?.[0]?.field).toBe('username');
      const empty = await api.send('PATCH', '/api/me', { token: body.access_token, body: '{}', headers: { 'content-type': 'application/json' } });
      expect(empty.status).toBe(422);
      const anonymous = await api.send('PATCH', '/api/me', { body: form({ full_name: 'X' }) });
      expect(anonymous.status).toBe(401);
    });

    it("PATCH /api/me takes the account's own username in other letter case (not taken: it is theirs)", async () => {
      const account = newAccount();
      const signedUp = await api.send('POST', '/api/register', { body: JSON.stringify(account), headers: { 'content-type': 'application/json' } });
      const { access_token: token } = await signedUp.json();
      const recased = account.username.toUpperCase();
      const answer = await api.send('PATCH', '/api/me', { token, body: JSON.stringify({ username: recased }), headers: { 'content-type': 'application/json' } });
      expect(answer.status).toBe(200);
      expect((await answer.json()).username).toBe(recased);
      expect((await (await api.send('GET', '/api/me', { token })).json()).username).toBe(recased);
    });
  });
}
