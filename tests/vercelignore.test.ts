import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// CommonJS (`module.exports = ignore`) typed as an ES default export, which NodeNext reads as `exports.default`.
const ignore = createRequire(import.meta.url)('ignore') as typeof import('ignore').default;

const ROOT = resolve(import.meta.dirname, '..');

/**
 * `.vercelignore` read as the Vercel CLI reads it when `vercel deploy` uploads a working copy:
 * with the `ignore` package at the version `@vercel/client` pins (4.0.6), a leading `./` dropped
 * (`getVercelIgnore`). Only the project's own rules: the CLI's built-in list adds node_modules,
 * .vercel, .env.local and the like, but not .env or .data/, which is why the file exists.
 */
const rules = ignore().add(readFileSync(join(ROOT, '.vercelignore'), 'utf8').replace(/(\n|^)\.\//g, '$1'));

describe('.vercelignore', () => {
  it('keeps what a working copy holds locally out of a CLI deployment: .env files, the embedded data, test output', () => {
    const local = [
      '.env',
      '.env.production',
      '.env.development.local',
      // DATA_DIR's default: the PGlite database (password hashes), generated secrets, the outbox (reset codes), avatars.
      '.data/secrets.json',
      '.data/pglite/base/1/1259',
      '.data/outbox/2026-11-25T10-00-00-000Z-000000-0a1b2c3d.eml',
      '.data/avatars/0b6f.png',
      '.data/bench/latest.json',
      'test-output/results.json',
      'coverage/index.html',
    ];
    expect(local.filter((path) => !rules.ignores(path))).toEqual([]);
  });

  it('uploads every file git tracks (.env.example included): a CLI deployment builds from the same files as one from Git', () => {
    const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(tracked).toContain('.env.example');
    expect(tracked.length).toBeGreaterThan(100);
    expect(tracked.filter((path) => rules.ignores(path))).toEqual([]);
  });
});
