import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs script without types
import { vendorDrizzle } from '../scripts/vendor-drizzle.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const VENDORED = join(ROOT, 'vendor', 'drizzle');

/** Every .ts file under these folders of the project. */
function sources(...folders: string[]): string[] {
  return folders.flatMap((folder) =>
    readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.ts'))
      .map((name) => join(ROOT, folder, name)),
  );
}

// The functions load drizzle-orm from vendor/drizzle (see scripts/vendor-drizzle.mjs for why).
describe('vendor/drizzle', () => {
  it('is what `npm run vendor:drizzle` writes from the installed drizzle-orm (run it after an upgrade)', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'vendor-drizzle-'));
    try {
      const files: string[] = await vendorDrizzle(fresh);
      expect(readdirSync(VENDORED).sort()).toEqual(files);
      for (const name of files) expect(readFileSync(join(VENDORED, name), 'utf8'), `vendor/drizzle/${name} is stale`).toBe(readFileSync(join(fresh, name), 'utf8'));
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('is the only drizzle-orm the code loads: lib/, api/ and scripts/ import only types from the package itself', () => {
    const offenders = sources('lib', 'api', 'scripts').filter((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .some((line) => /['"]drizzle-orm(\/[^'"]*)?['"]/.test(line) && !/^\s*import type /.test(line)),
    );
    expect(offenders.map((file) => file.slice(ROOT.length + 1))).toEqual([]);
  });
});
