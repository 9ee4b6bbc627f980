import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withStoredAvatar } from '../lib/avatars.js';
import { OutOfTimeError } from '../lib/deadline.js';
import { localAvatarStore } from '../lib/avatars/local.js';
import { ConfigError, loadConfig, resetConfig } from '../lib/config.js';
import { conflict } from '../lib/http-errors.js';
import { sniffImageType } from '../lib/image-type.js';
import { GIF_HEADER, WEBP_HEADER, tinyJpeg, tinyPng } from './support/images.js';
import { PRODUCTION_ENV } from './support/production-env.js';

const ROOT = resolve(import.meta.dirname, '..');

describe('image type from the first bytes', () => {
  it.each([
    ['PNG', tinyPng(), 'image/png'],
    ['JPEG', tinyJpeg(), 'image/jpeg'],
    ['GIF', GIF_HEADER, 'image/gif'],
    ['GIF87a (the older GIF version)', Buffer.from('GIF87a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), 'image/gif'],
    ['WebP', WEBP_HEADER, 'image/webp'],
  ])('recognises %s', (_, bytes, mime) => {
    expect(sniffImageType(bytes)?.mime).toBe(mime);
  });

  // The extension names the local store's file, and so the type the dev server serves it as.
  it.each([
    ['PNG', tinyPng(), 'png'],
    ['JPEG', tinyJpeg(), 'jpg'],
    ['GIF', GIF_HEADER, 'gif'],
    ['WebP', WEBP_HEADER, 'webp'],
  ])('gives %s its own extension', (_, bytes, extension) => {
    expect(sniffImageType(bytes)?.extension).toBe(extension);
  });

  it.each([
    ['text', Buffer.from('hello, I am a .png')],
    ['empty', Buffer.alloc(0)],
    ['a truncated PNG signature', tinyPng().subarray(0, 7)],
    ['RIFF that is not WebP', Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WAVE')])],
    ['WEBP at offset 8 without RIFF before it', Buffer.concat([Buffer.from('JUNK'), Buffer.alloc(4), Buffer.from('WEBPVP8L'), Buffer.alloc(14)])],
    ['SVG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')],
    ['only the first half of the PNG signature', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0, 0, 0, 0, 0])],
    ['a PNG signature wrong in its last byte', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x00]), tinyPng().subarray(8)])],
    ['FF D8 without the third JPEG byte', Buffer.from([0xff, 0xd8, 0x00, 0x00])],
    ['GIF8 of no GIF version', Buffer.from('GIF8xa0000')],
    ['a GIF version that does not exist', Buffer.from('GIF88a0000')],
  ])('refuses %s', (_, bytes) => {
    expect(sniffImageType(bytes)).toBeUndefined();
  });
});

describe('avatar configuration', () => {
  const base = { DATA_DIR: mkdtempSync(join(tmpdir(), 'auth-avatar-config-')) };
  const production = { ...PRODUCTION_ENV, DATABASE_URL: 'postgres://u@db.example.com/app' };
  const problems = (env: NodeJS.ProcessEnv) => {
    try {
      loadConfig(env);
      return '';
    } catch (error) {
      if (error instanceof ConfigError) return error.problems.join('\n');
      throw error;
    }
  };

  it('requires Cloudinary in production, by URL or by the three variables', () => {
    expect(problems(production)).toMatch(/CLOUDINARY_URL/);
    expect(problems({ ...production, CLOUDINARY_URL: 'cloudinary://123:abc@demo' })).toBe('');
    expect(problems({ ...production, CLOUDINARY_CLOUD_NAME: 'demo', CLOUDINARY_API_KEY: '123', CLOUDINARY_API_SECRET: 'abc' })).toBe('');
    expect(problems({ ...production, CLOUDINARY_CLOUD_NAME: 'demo', CLOUDINARY_API_KEY: '123' })).toMatch(/CLOUDINARY_API_SECRET/);
  });

  it('refuses a half-configured or malformed Cloudinary outside production too', () => {
    expect(problems({ ...base, CLOUDINARY_API_KEY: '123' })).toMatch(/CLOUDINARY_CLOUD_NAME.*CLOUDINARY_API_SECRET/);
    expect(problems({ ...base, CLOUDINARY_URL: 'https://123:abc@demo' })).toMatch(/CLOUDINARY_URL/);
    // A secret with a stray % (not percent-encoded), a host no URL can have: named, not a URIError or TypeError.
    expect(problems({ ...base, CLOUDINARY_URL: 'cloudinary://123:ab%zz@demo' })).toMatch(/CLOUDINARY_URL.*%25/);
    expect(problems({ ...base, CLOUDINARY_URL: 'cloudinary://123:abc@[demo' })).toMatch(/CLOUDINARY_URL/);
    expect(problems({ ...base, CLOUDINARY_URL: 'cloudinary://123:ab%25zz@demo' })).toBe('');
    expect(problems({ ...base, AVATAR_MAX_BYTES: '12' })).toMatch(/AVATAR_MAX_BYTES/);
    // Vercel refuses a request body over 4.5 MB before the function runs: a larger limit could never be reached there.
    expect(problems({ ...base, AVATAR_MAX_BYTES: String(4 * 1024 * 1024) })).toBe('');
    expect(problems({ ...base, AVATAR_MAX_BYTES: String(4 * 1024 * 1024 + 1) })).toMatch(/AVATAR_MAX_BYTES/);
  });

  it('reads CLOUDINARY_URL with its upload_prefix, the folder, the deadline and the size limit; falls back to files', () => {
    const config = loadConfig({ ...base, CLOUDINARY_URL: 'cloudinary://123:s%40cret@demo?upload_prefix=http://127.0.0.1:9', CLOUDINARY_FOLDER: 'app/avatars' });
    expect(config.avatars.cloudinary).toEqual({ cloudName: 'demo', apiKey: '123', apiSecret: 's@cret', uploadPrefix: 'http://127.0.0.1:9', folder: 'app/avatars', timeoutMs: 8000 });
    const parts = { CLOUDINARY_CLOUD_NAME: 'demo', CLOUDINARY_API_KEY: '123', CLOUDINARY_API_SECRET: 's', CLOUDINARY_TIMEOUT_MS: '2500' };
    expect(loadConfig({ ...base, ...parts }).avatars.cloudinary).toMatchObject({ cloudName: 'demo', folder: 'avatars', timeoutMs: 2500 });
    expect(problems({ ...base, ...parts, CLOUDINARY_TIMEOUT_MS: '99' })).toMatch(/CLOUDINARY_TIMEOUT_MS/);
    expect(problems({ ...base, ...parts, CLOUDINARY_TIMEOUT_MS: '60001' })).toMatch(/CLOUDINARY_TIMEOUT_MS/);
    expect(config.avatars.maxBytes).toBe(2 * 1024 * 1024);
    const local = loadConfig(base);
    expect(local.avatars.cloudinary).toBeUndefined();
    expect(local.avatars.localDir).toBe(join(base.DATA_DIR, 'avatars'));
    expect(local.embedded.join('\n')).toContain('avatars: files in');
  });
});

describe('withStoredAvatar on the local store', () => {
  afterEach(() => {
    delete process.env.CLOUDINARY_URL;
    resetConfig();
    vi.restoreAllMocks();
  });
  const image = { bytes: tinyPng(), type: { mime: 'image/png' as const, extension: 'png' } };
  const files = () => {
    const dir = join(process.env.DATA_DIR!, 'avatars');
    return existsSync(dir) ? readdirSync(dir) : [];
  };

  it('keeps the file when the work succeeds, and deletes it when the work fails', async () => {
    resetConfig();
    const before = files().length;
    const kept = await withStoredAvatar(image, async (stored) => stored!);
    expect(kept.url).toBe(`/avatars/${kept.key}`); // a path: each answer puts it on the host it was asked on
    expect(files()).toContain(kept.key);
    let seen = '';
    await expect(
      withStoredAvatar(image, async (stored) => {
        seen = stored!.key;
        expect(files()).toContain(seen);
        throw conflict('That username is already taken.');
      }),
    ).rejects.toMatchObject({ status: 409 });
    expect(files()).not.toContain(seen);
    expect(files().length).toBe(before + 1);
  });

  it('keeps the file when the database failed with the write perhaps out, and deletes it when the write certainly never ran', async () => {
    resetConfig();
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const attempt = async (failure: Error) => {
      let seen = '';
      await expect(
        withStoredAvatar(image, async (stored) => {
          seen = stored!.key;
          throw failure;
        }),
      ).rejects.toBe(failure);
      return seen;
    };
    const lost = await attempt(new Error('Connection terminated unexpectedly')); // may have committed
    expect(files()).toContain(lost);
    expect(log.mock.calls.flat().join('\n')).toContain(`avatar ${lost} kept`);
    const refused = await attempt(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    expect(files()).not.toContain(refused);
    const late = await attempt(new OutOfTimeError('DB_QUERY_TIMEOUT_MS', 10)); // not sent: no time was left
    expect(files()).not.toContain(late);
  });

  it('when the work fails and its avatar cannot be deleted either, the work\'s error still goes on (the clean-up is logged)', async () => {
    resetConfig();
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const dir = join(process.env.DATA_DIR!, 'avatars');
    let seen = '';
    await expect(
      withStoredAvatar(image, async (stored) => {
        seen = stored!.key;
        // A directory where the file was: unlink fails with EISDIR, not ENOENT.
        rmSync(join(dir, seen));
        mkdirSync(join(dir, seen));
        throw conflict('That username is already taken.');
      }),
    ).rejects.toMatchObject({ status: 409 });
    expect(log.mock.calls.flat().join('\n')).toContain(`avatar ${seen} could not be deleted`);
    rmSync(join(dir, seen), { recursive: true });
  });

  it('answers 502 and never runs the work when the store cannot save', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    process.env.CLOUDINARY_URL = 'cloudinary://123:abc@demo?upload_prefix=http://127.0.0.1:1';
    resetConfig();
    const work = vi.fn(async () => 'done');
    await expect(withStoredAvatar(image, work)).rejects.toMatchObject({ status: 502, code: 'bad_gateway' });
    expect(work).not.toHaveBeenCalled();
  });
});

describe('the local avatar store', () => {
  it('deletes only file names it could have made: never a path out of its folder', async () => {
    const root = mkdtempSync(join(tmpdir(), 'auth-local-store-'));
    const dir = join(root, 'avatars');
    mkdirSync(dir);
    const outside = `${'a'.repeat(32)}.png`;
    writeFileSync(join(root, outside), 'not an avatar');
    writeFileSync(join(root, 'secrets.json'), '{}');
    const store = localAvatarStore(dir);
    await store.remove(`../${outside}`);
    await store.remove('../secrets.json');
    expect(readdirSync(root).sort()).toEqual([outside, 'avatars', 'secrets.json'].sort());
  });

  it('deleting an avatar that is already gone succeeds (nothing to log)', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'auth-local-store-')), 'avatars');
    const store = localAvatarStore(dir);
    const { key } = await store.save({ bytes: tinyPng(), type: { mime: 'image/png', extension: 'png' } });
    await store.remove(key);
    expect(readdirSync(dir)).toEqual([]);
    await expect(store.remove(key)).resolves.toBeUndefined();
  });
});

describe('cold start', () => {
  it('never loads the Cloudinary SDK for login, JSON sign-up or module loading', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'tests/support/cold-start-probe.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'test',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'auth-probe-')),
        PGLITE_DATA_DIR: 'memory://',
        BCRYPT_COST: '4',
        CLOUDINARY_URL: 'cloudinary://123:abc@demo',
      },
    });
    const result = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}');
    expect(result, child.stderr).toEqual({ statuses: [201, 200], before: false, after: true });
  });
});
