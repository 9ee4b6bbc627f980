import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as me from '../api/me.js';
import * as registration from '../api/register.js';
import { settleBackground } from '../lib/background.js';
import { resetConfig } from '../lib/config.js';
import { defineAvatarSuite, form, handlerTransport as transport } from './avatars-suite.js';
import { useDatabase } from './support/database.js';
import { startFakeCloudinary, type FakeCloudinary } from './support/fake-cloudinary.js';
import { BASE, newAccount, problemOf } from './support/http.js';
import { tinyPng } from './support/images.js';
import { multipart } from './support/multipart.js';

let fake: FakeCloudinary;
let cleanup = async () => {};
beforeAll(async () => {
  fake = await startFakeCloudinary();
  process.env.CLOUDINARY_URL = fake.cloudinaryUrl;
  cleanup = await useDatabase('pglite');
});
afterAll(async () => {
  await cleanup();
  await fake?.close();
});

defineAvatarSuite('handlers', () => ({ transport, cloudinary: fake }));

describe('avatar limits at handler level', () => {
  /** Posts a multipart body whose one part never ends; answers the response and the bytes read. */
  async function endlessPart(partHeaders: string) {
    let pulled = 0;
    let cancelled = false;
    const boundary = 'xYzBoundary';
    const head = new TextEncoder().encode(`--${boundary}\r\n${partHeaders}\r\n\r\n`);
    const chunk = new Uint8Array(64 * 1024).fill(0x61);
    let sentHead = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = sentHead ? chunk : head;
        sentHead = true;
        pulled += next.byteLength;
        controller.enqueue(next);
        if (pulled > 100 * 1024 * 1024) controller.close(); // a safety stop: 100 MiB would prove the bug
      },
      cancel() {
        cancelled = true;
      },
    });
    const request = new Request(`${BASE}/api/register`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
      duplex: 'half',
    } as RequestInit);
    const response = await registration.POST(request);
    return { response, pulled, cancelled };
  }

  it('answers 413 after reading little more than the limit of an endless body', async () => {
    const { response, pulled, cancelled } = await endlessPart('Content-Disposition: form-data; name="avatar"; filename="big.png"\r\nContent-Type: image/png');
    expect(response.status).toBe(413);
    await problemOf(response);
    expect(pulled).toBeGreaterThan(2 * 1024 * 1024);
    expect(pulled).toBeLessThan(3 * 1024 * 1024);
    // The body is cancelled, not just left unread: the client's upload is cut off.
    expect(cancelled).toBe(true);
  });

  it('cuts off an endless text field too (busboy judges a field only at its end): 413 within the body cap', async () => {
    const { response, pulled } = await endlessPart('Content-Disposition: form-data; name="full_name"');
    expect(response.status).toBe(413);
    expect((await problemOf(response)).detail).toMatch(/The body may be at most \d+ bytes/);
    expect(pulled).toBeLessThan(3 * 1024 * 1024);
  });

  it('answers 413 at once when Content-Length already says the body is too large', async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1024;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    const response = await registration.POST(
      new Request(`${BASE}/api/register`, {
        method: 'POST',
        headers: { 'content-type': 'multipart/form-data; boundary=b', 'content-length': String(50 * 1024 * 1024) },
        body,
        duplex: 'half',
      } as RequestInit),
    );
    expect(response.status).toBe(413);
    expect(pulled).toBeLessThanOrEqual(1024 * 64); // at most what the stream buffered ahead, never the body
  });

  it('honours AVATAR_MAX_BYTES', async () => {
    process.env.AVATAR_MAX_BYTES = '2000';
    resetConfig();
    try {
      const png = tinyPng();
      const file = (size: number) => [{ bytes: Buffer.concat([png, Buffer.alloc(size - png.length)]), filename: 'a.png', type: 'image/png' }];
      expect((await transport.send('POST', '/api/register', { body: form(newAccount(), file(2001)) })).status).toBe(413);
      expect((await transport.send('POST', '/api/register', { body: form(newAccount(), file(2000)) })).status).toBe(201);
    } finally {
      delete process.env.AVATAR_MAX_BYTES;
      resetConfig();
    }
  });

  it('names an unknown field even when every known field was sent as well (not a nameless "too many fields")', async () => {
    const extra = await transport.send('POST', '/api/register', { body: form({ ...newAccount({ full_name: 'Ada' }), is_admin: 'true' }) });
    expect(extra.status).toBe(422);
    expect((await problemOf(extra)).errors).toEqual([{ field: 'is_admin', message: 'Unknown field.' }]);
  });

  it('limits text fields while streaming too (413), and refuses a repeated field (422)', async () => {
    const long = await transport.send('POST', '/api/register', { body: form({ ...newAccount(), full_name: 'x'.repeat(5000) }) });
    expect(long.status).toBe(413);
    expect((await problemOf(long)).errors).toEqual([{ field: 'full_name', message: 'At most 1024 bytes.' }]);
    const twice = multipart([...Object.entries(newAccount()), ['username', 'someone_else']]);
    const repeated = await transport.send('POST', '/api/register', { body: twice });
    expect(repeated.status).toBe(422);
    expect((await problemOf(repeated)).errors?.[0]?.field).toBe('username');
  });

  it('answers 400 for a multipart body without a boundary, and 415 for another content type', async () => {
    const noBoundary = await registration.POST(new Request(`${BASE}/api/register`, { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: 'x' }));
    expect(noBoundary.status).toBe(400);
    const truncated = await registration.POST(
      new Request(`${BASE}/api/register`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=b' }, body: '--b\r\nContent-Disposition: form-data; name="username"\r\n\r\nada' }),
    );
    expect(truncated.status).toBe(400);
    expect((await problemOf(truncated)).type).toBe('urn:problem:malformed_body');
    // Cut off inside the file part: this once left the request waiting forever (found by the fuzzer).
    const cutInFile = registration.POST(
      new Request(`${BASE}/api/register`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=b' }, body: '--b\r\nContent-Disposition: form-data; name="avatar"; filename="a.png"\r\n\r\nJ(Ha52[OuX\r\n' }),
    );
    const answer = await Promise.race([cutInFile, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 5000))]);
    expect(answer).not.toBe('hung');
    expect((answer as Response).status).toBe(400);
    const xml = await registration.POST(new Request(`${BASE}/api/register`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<a/>' }));
    expect(xml.status).toBe(415);
    // Sign-up and PATCH /api/me take JSON or multipart only (login's urlencoded form is not one of
    // them), and the 415 names both.
    const urlencoded = await registration.POST(
      new Request(`${BASE}/api/register`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(newAccount()).toString() }),
    );
    expect(urlencoded.status).toBe(415);
    expect((await problemOf(urlencoded)).detail).toBe('Send the body as application/json or multipart/form-data.');
  });

  it('the fake really checks the signature: a wrong secret is refused by it, and the sign-up is a 502 without a user', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    process.env.CLOUDINARY_URL = fake.cloudinaryUrl.replace(`:${fake.apiSecret}@`, ':wrong-secret@');
    resetConfig();
    try {
      const account = newAccount();
      const response = await transport.send('POST', '/api/register', { body: form(account, [{ bytes: tinyPng(), filename: 'a.png', type: 'image/png' }]) });
      expect(response.status).toBe(502);
      expect(fake.calls.at(-1)).toEqual({ action: 'upload', status: 401 });
      expect(log.mock.calls.join('\n')).toMatch(/Invalid Signature/);
      process.env.CLOUDINARY_URL = fake.cloudinaryUrl;
      resetConfig();
      const retry = await transport.send('POST', '/api/register', { body: form(account, [{ bytes: tinyPng(), filename: 'a.png', type: 'image/png' }]) });
      expect(retry.status).toBe(201);
    } finally {
      process.env.CLOUDINARY_URL = fake.cloudinaryUrl;
      resetConfig();
      log.mockRestore();
    }
  });

  it('answers 502 without a user when Cloudinary drops the connection', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const account = newAccount();
      fake.failNext('upload', 0);
      const response = await transport.send('POST', '/api/register', { body: form(account, [{ bytes: tinyPng(), filename: 'a.png', type: 'image/png' }]) });
      expect(response.status).toBe(502);
      const again = await transport.send('POST', '/api/register', { body: form(account) });
      expect(again.status).toBe(201);
    } finally {
      log.mockRestore();
    }
  });

  it('an avatar part without a filename (text to a multipart parser) is a 422 saying to send a file; empty, it means no avatar', async () => {
    const account = newAccount();
    const multipart = (avatarPart: string) => {
      const fields = Object.entries(account).map(([name, value]) => `--b\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
      return new Request(`${BASE}/api/register`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=b' }, body: `${fields.join('')}${avatarPart}--b--\r\n` });
    };
    const withoutName = await registration.POST(multipart('--b\r\ncontent-disposition: form-data; name="avatar"\r\ncontent-type: image/png\r\n\r\n\x89PNG not really\r\n'));
    expect(withoutName.status).toBe(422);
    expect((await problemOf(withoutName)).errors).toEqual([{ field: 'avatar', message: 'Send this as a file: a part with a filename.' }]);
    const empty = await registration.POST(multipart('--b\r\ncontent-disposition: form-data; name="avatar"\r\n\r\n\r\n'));
    expect(empty.status).toBe(201);
    expect((await empty.json()).user.avatar_url).toBeNull();
  });

  it('names the id of a failed upload in the log, and says so when its clean-up found nothing yet (the upload may still land)', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const warnings = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      fake.failNext('upload', 500); // refused, nothing stored: the clean-up's destroy finds nothing
      const response = await transport.send('POST', '/api/register', { body: form(newAccount(), [{ bytes: tinyPng(), filename: 'a.png', type: 'image/png' }]) });
      expect(response.status).toBe(502);
      await settleBackground();
      const id = fake.calls.filter((c) => c.action === 'destroy').at(-1)!.publicId!;
      expect(id).toMatch(/^avatars\/[0-9a-f]{24}$/);
      expect(errors.mock.calls.flat().join('\n')).toContain(`Cloudinary upload of ${id} failed`);
      expect(warnings.mock.calls.flat().join('\n')).toContain(`avatar ${id}: nothing to delete after its failed upload`);
    } finally {
      errors.mockRestore();
      warnings.mockRestore();
    }
  });

  async function signedUpWithAvatar() {
    const signedUp = await transport.send('POST', '/api/register', { body: form(newAccount(), [{ bytes: tinyPng(), filename: 'a.png', type: 'image/png' }]) });
    expect(signedUp.status).toBe(201);
    const { access_token: token } = await signedUp.json();
    const old = fake.calls.filter((c) => c.action === 'upload').at(-1)!.publicId!;
    return { token, old };
  }

  it('PATCH without an avatar (name, email, display name) leaves the avatar alone: nothing destroyed, before or after the response', async () => {
    const { token, old } = await signedUpWithAvatar();
    const before = await (await transport.send('GET', '/api/me', { token })).json();
    const calls = fake.calls.length;
    const fresh = newAccount();
    for (const body of [JSON.stringify({ full_name: 'Grace' }), JSON.stringify({ username: fresh.username, email: fresh.email })]) {
      const response = await transport.send('PATCH', '/api/me', { token, body, headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(200);
      expect((await response.json()).avatar_url).toBe(before.avatar_url);
    }
    const multipartNoFile = await transport.send('PATCH', '/api/me', { token, body: form({ full_name: 'Grace Hopper' }) });
    expect(multipartNoFile.status).toBe(200);
    await settleBackground();
    expect(fake.calls.slice(calls)).toEqual([]); // no destroy, no upload
    expect(fake.assets.has(old)).toBe(true);
    expect((await (await transport.send('GET', '/api/me', { token })).json()).avatar_url).toBe(before.avatar_url);
  });

  it('PATCH refuses a field it does not take (a password, an admin flag) with 422 naming it, changing nothing: never quietly ignored', async () => {
    const { token } = await signedUpWithAvatar();
    const before = await (await transport.send('GET', '/api/me', { token })).json();
    for (const extra of [{ password: 'a new password!' }, { is_admin: true }]) {
      const response = await transport.send('PATCH', '/api/me', { token, body: JSON.stringify({ full_name: 'Changed', ...extra }), headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(422);
      expect((await response.json()).errors.map((error: { field: string }) => error.field)).toEqual(Object.keys(extra));
    }
    expect(await (await transport.send('GET', '/api/me', { token })).json()).toEqual(before);
  });

  it('PATCH answers before the replaced avatar is deleted: a slow Cloudinary destroy does not hold the response', { timeout: 5_000 }, async () => {
    // Held until the answer is in: a PATCH that waited for the destroy would wait for the SDK's
    // 8-second timeout (past this test's), and log the deletion as failed.
    const { token, old } = await signedUpWithAvatar();
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    let release!: () => void;
    let destroying!: () => void;
    const destroyStarted = new Promise<void>((started) => (destroying = started));
    fake.beforeDestroyAnswer = () => {
      destroying();
      return new Promise<void>((go) => (release = go));
    };
    try {
      const response = await transport.send('PATCH', '/api/me', { token, body: form({}, [{ bytes: tinyPng(3, 3), filename: 'b.png', type: 'image/png' }]) });
      expect(response.status).toBe(200);
      await destroyStarted; // the deletion started after the answer, and is still waiting on Cloudinary
      expect(fake.assets.has(old)).toBe(true);
      release();
      await settleBackground();
      expect(fake.assets.has(old)).toBe(false);
      expect(fake.calls.at(-1)).toEqual({ action: 'destroy', status: 200, publicId: old });
      expect(log).not.toHaveBeenCalled();
    } finally {
      fake.beforeDestroyAnswer = undefined;
      release?.();
      log.mockRestore();
    }
  });

  it('logs a failed deletion of the replaced avatar with its key and Cloudinary\'s message', async () => {
    const { token, old } = await signedUpWithAvatar();
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      fake.failNext('destroy', 500);
      const response = await transport.send('PATCH', '/api/me', { token, body: form({}, [{ bytes: tinyPng(3, 3), filename: 'b.png', type: 'image/png' }]) });
      expect(response.status).toBe(200);
      await settleBackground();
      const lines = log.mock.calls.map((call) => call.join(' '));
      expect(lines.some((line) => line.includes(old) && line.includes('Simulated Cloudinary failure (HTTP 500)')), lines.join('\n')).toBe(true);
      expect(lines.join('\n')).not.toContain('[object Object]');
      expect(fake.assets.has(old)).toBe(true);
    } finally {
      log.mockRestore();
    }
  });

  it('logs a deletion Cloudinary answers with a result other than "ok" or "not found" as failed, with the key and that result', async () => {
    const { token, old } = await signedUpWithAvatar();
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      fake.failNext('destroy', 200, { result: 'error' });
      const response = await transport.send('PATCH', '/api/me', { token, body: form({}, [{ bytes: tinyPng(3, 3), filename: 'b.png', type: 'image/png' }]) });
      expect(response.status).toBe(200);
      await settleBackground();
      expect(fake.calls.at(-1)).toEqual({ action: 'destroy', status: 200, publicId: old });
      const lines = log.mock.calls.map((call) => call.join(' '));
      expect(lines.some((line) => line.includes(old) && line.includes('Cloudinary destroy failed: error')), lines.join('\n')).toBe(true);
      expect(fake.assets.has(old)).toBe(true);
    } finally {
      log.mockRestore();
    }
  });

  it('answers OPTIONS preflights for GET and PATCH on /api/me', async () => {
    const response = await me.OPTIONS(
      new Request(`${BASE}/api/me`, { method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'PATCH' } }),
    );
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, PATCH, OPTIONS');
    expect(response.headers.get('vary')).toBe('Origin');
  });
});

describe('avatar uploads per account (RATE_LIMIT_AVATAR_USER)', () => {
  beforeEach(() => {
    process.env.RATE_LIMIT_AVATAR_USER = '2/1h';
    resetConfig();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    delete process.env.RATE_LIMIT_AVATAR_USER;
    resetConfig();
    await settleBackground();
  });

  /** A new account's PATCH /api/me, and an upload through it (a PNG named `filename`) with `fields`. */
  async function signedIn(account = newAccount()) {
    const signUp = await registration.POST(new Request(`${BASE}/api/register`, { method: 'POST', body: form(account) }));
    const { access_token } = (await signUp.json()) as { access_token: string };
    const patch = (body: BodyInit, type?: string) =>
      me.PATCH(new Request(`${BASE}/api/me`, { method: 'PATCH', headers: { authorization: `Bearer ${access_token}`, ...(type ? { 'content-type': type } : {}) }, body }));
    const upload = (fields: Record<string, string> = {}, filename = 'a.png', type = 'image/png') => patch(form(fields, [{ bytes: tinyPng(), filename, type }]));
    const current = async () => (await me.GET(new Request(`${BASE}/api/me`, { headers: { authorization: `Bearer ${access_token}` } }))).json();
    return { patch, upload, current };
  }

  it('refuses uploads past the limit with 429 before anything reaches Cloudinary; other changes go on', async () => {
    const { patch, upload } = await signedIn();
    expect((await upload()).status).toBe(200);
    const second = await upload();
    expect(second.status).toBe(200);
    const { avatar_url } = (await second.json()) as { avatar_url: string };
    const uploads = fake.calls.filter((c) => c.action === 'upload').length;

    const refused = await upload();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await problemOf(refused)).detail).toMatch(/^Too many avatar uploads for this account\. Try again in \d+ (seconds?|minutes?|hours?)\.$/);
    expect(fake.calls.filter((c) => c.action === 'upload').length).toBe(uploads); // nothing uploaded
    // A change without a file is not an upload: it goes through, and the avatar stays.
    const renamed = await patch(JSON.stringify({ full_name: 'Still Ada' }), 'application/json');
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ full_name: 'Still Ada', avatar_url });
  });

  it('an image Cloudinary refuses for its pixels (a plan\'s megapixel limit) is the client\'s: 413, not a 502 to retry; nothing changed, the slot stays counted', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const { upload, current } = await signedIn(newAccount({ full_name: 'Ada' }));
    // Cloudinary's words for an animated GIF past the free plan's 50 megapixels in all frames
    // (a small file can hold them: a few hundred frames of a simple animation).
    fake.failNext('upload', 400, { message: 'Maximum total number of pixels in all frames/pages is 50 Megapixels. Requested 84.35 Megapixels' });
    const calls = fake.calls.length;
    const refused = await upload({ full_name: 'Changed' }, 'a.gif', 'image/gif');
    expect(refused.status).toBe(413);
    expect(await problemOf(refused)).toMatchObject({ detail: expect.stringMatching(/pixels/), errors: [{ field: 'avatar', message: 'Too many pixels.' }] });
    await settleBackground();
    expect(fake.calls.slice(calls)).toEqual([{ action: 'upload', status: 400 }]); // nothing stored, so nothing to delete
    expect(await current()).toMatchObject({ full_name: 'Ada', avatar_url: null });
    // Counted, as a file Cloudinary cannot read is: a retry of the same file would fail the same way.
    expect([(await upload()).status, (await upload()).status]).toEqual([200, 429]);
  });

  it('gives the slot back when the upload fails on Cloudinary (502: nothing changed, try again)', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const { upload } = await signedIn();
    for (let i = 0; i < 2; i++) {
      fake.failNext('upload', 500);
      expect((await upload()).status).toBe(502);
      await settleBackground(); // the slot comes back after the response
    }
    expect([(await upload()).status, (await upload()).status, (await upload()).status]).toEqual([200, 200, 429]);
  });

  it('keeps the slot counted when the upload got no answer (502, but Cloudinary may have processed it): such uploads cannot be repeated for free', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { upload } = await signedIn();
    for (let i = 0; i < 2; i++) {
      fake.failNext('upload', 0, { afterStoring: true }); // stored, then the connection drops before the answer
      expect((await upload()).status).toBe(502);
      await settleBackground(); // the stored image is deleted by its id after the response
    }
    const refused = await upload();
    expect(refused.status).toBe(429);
    expect((await problemOf(refused)).detail).toMatch(/^Too many avatar uploads for this account\./);
  });

  it("keeps the slot counted when a gateway answered instead of Cloudinary (502, 504: the upload may have been processed behind it)", async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { upload } = await signedIn();
    for (const status of [502, 504]) {
      fake.failNext('upload', status);
      expect((await upload()).status).toBe(502);
      await settleBackground();
    }
    expect((await upload()).status).toBe(429);
  });

  it("gives the slot back when no connection to Cloudinary could be made (nothing was sent): an outage does not spend a user's uploads", async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { upload } = await signedIn();
    process.env.CLOUDINARY_URL = `${fake.cloudinaryUrl.split('?')[0]}?upload_prefix=${encodeURIComponent('http://127.0.0.1:1')}`; // refused
    resetConfig();
    try {
      for (let i = 0; i < 2; i++) {
        expect((await upload()).status).toBe(502);
        await settleBackground();
      }
    } finally {
      process.env.CLOUDINARY_URL = fake.cloudinaryUrl;
      resetConfig();
    }
    expect([(await upload()).status, (await upload()).status, (await upload()).status]).toEqual([200, 200, 429]);
  });

  it('keeps only the upload slot when the upload got no answer: the name change in the same request, never written, gets its slot back', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const generous = process.env.RATE_LIMIT_PROFILE_USER;
    process.env.RATE_LIMIT_PROFILE_USER = '1/1h';
    resetConfig();
    try {
      const { upload, patch } = await signedIn();
      fake.failNext('upload', 0, { afterStoring: true });
      expect((await upload({ username: newAccount().username })).status).toBe(502);
      await settleBackground();
      const renamed = await patch(JSON.stringify({ username: newAccount().username }), 'application/json');
      expect(renamed.status).toBe(200); // had the 502 kept it, the limit of one would refuse this
    } finally {
      process.env.RATE_LIMIT_PROFILE_USER = generous;
      resetConfig();
    }
  });
});
