import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs script without types
import { VENDORED, vendorPackages } from '../scripts/vendor.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const VENDOR = join(ROOT, 'vendor');
// Each vendored package and those bundled `with` it.
const PACKAGES = Object.entries(VENDORED as Record<string, { with?: string[] }>).flatMap(([pkg, { with: alsoBundled = [] }]) => [pkg, ...alsoBundled]);

/** Every .ts file under these folders of the project. */
function sources(...folders: string[]): string[] {
  return folders.flatMap((folder) =>
    readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.ts'))
      .map((name) => join(ROOT, folder, name)),
  );
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

// The functions load these packages from vendor/ (see scripts/vendor.mjs for why).
describe('vendor/', () => {
  it('is what `npm run vendor` writes from the installed packages (run it after an upgrade)', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'vendor-'));
    try {
      const files: string[] = await vendorPackages(fresh);
      expect(files).toEqual(expect.arrayContaining(['arctic/LICENSE.oslojs-crypto', 'drizzle/index.mjs', 'jose/index.mjs', 'zod/index.mjs', 'zod/LICENSE']));
      const committed = readdirSync(VENDOR, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
      expect(committed.map((entry) => relative(VENDOR, join(entry.parentPath, entry.name))).sort()).toEqual(files);
      for (const name of files) expect(readFileSync(join(VENDOR, name), 'utf8'), `vendor/${name} is stale`).toBe(readFileSync(join(fresh, name), 'utf8'));
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it.each(PACKAGES)('is the only %s the code loads: lib/, api/ and scripts/ import only types from the package itself', (pkg) => {
    const specifier = new RegExp(`['"]${escaped(pkg)}(/[^'"]*)?['"]`);
    const offenders = sources('lib', 'api', 'scripts').filter((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .some((line) => specifier.test(line) && !/^\s*import type /.test(line)),
    );
    expect(offenders.map((file) => file.slice(ROOT.length + 1))).toEqual([]);
  });
});
