// `npm run vendor`: writes vendor/<name>/ for each package below, the parts of it this project
// imports bundled by esbuild into a few files. Run it after upgrading one of them;
// tests/vendor.test.ts fails while a folder is stale.
//
// Why: Vercel's Node.js builder deploys a function unbundled, so a cold start loads every module
// file of every package it imports, one by one, and pays for each file's resolution, reading and
// compiling, over and above the code itself. Measured on this project's functions, built as Vercel
// builds them (scripts/bench/vercel-build.ts):
// - drizzle-orm: its package.json holds a 175 KB "exports" map, and Node.js 22 and newer (24 is
//   what Vercel runs) parse that map again for each of the package's ~100 module files a function
//   loads (lib/internal/modules/package_json_reader.js: getPackageScopeConfig spreads the lazily
//   parsed package data for each `.js` file's format lookup): ~370 ms of every cold start that
//   touches the database on Node 24, ~0 on Node 20.
// - zod: 95 module files, loaded by every function (schemas and configuration): ~20 ms of each
//   cold start, on Node 20 and 24 alike (GET /api/me imported in ~80 ms, ~60 from one file). Only
//   the values the code uses are vendored (`only`): all of zod is 458 KB minified, mostly its
//   locales and core, and reading it cost ~10 ms more than these ~100 KB.
// From these files the package.json is this project's own, read once. Types still come from the
// packages themselves (each .d.mts re-exports them). The bench's "bundled" build maps the vendored
// files back to the packages (scripts/bench/bundle-options.ts), which a bundler shakes finer.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..');

/**
 * Per package: the folder under vendor/, vendor/<folder>/<name>.mjs for each subpath imported in
 * lib/ and scripts/, whether it is minified (zod is 760 KB unminified: ~4 ms of each cold start),
 * and `only` the values it exports, if not all: the others are types only in its .d.mts, so code
 * that starts using one as a value fails `npm run typecheck` until it is added here.
 */
export const VENDORED = {
  'drizzle-orm': {
    folder: 'drizzle',
    minify: false,
    entries: {
      index: 'drizzle-orm',
      'pg-core': 'drizzle-orm/pg-core',
      'neon-http': 'drizzle-orm/neon-http',
      'neon-serverless': 'drizzle-orm/neon-serverless',
      'neon-serverless-migrator': 'drizzle-orm/neon-serverless/migrator',
      'node-postgres': 'drizzle-orm/node-postgres',
      'node-postgres-migrator': 'drizzle-orm/node-postgres/migrator',
      pglite: 'drizzle-orm/pglite',
      'pglite-migrator': 'drizzle-orm/pglite/migrator',
    },
  },
  zod: {
    folder: 'zod',
    minify: true,
    entries: { index: 'zod' },
    only: ['any', 'array', 'boolean', 'coerce', 'config', 'email', 'enum', 'iso', 'literal', 'null', 'number', 'object', 'strictObject', 'string', 'stringbool', 'url', 'uuid'],
  },
};

/** The package a specifier belongs to: `drizzle-orm/pg-core` → `drizzle-orm`. */
const packageOf = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/** Writes vendor/<folder>/ for each package into `outRoot` (each folder emptied first); returns the written paths, relative to `outRoot`. */
export async function vendorPackages(outRoot = join(ROOT, 'vendor')) {
  const written = [];
  for (const [pkg, { folder, minify, entries, only }] of Object.entries(VENDORED)) {
    const outDir = join(outRoot, folder);
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
    const { version, license } = JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8'));
    let licenceFile;
    try {
      licenceFile = readFileSync(join(ROOT, 'node_modules', pkg, 'LICENSE'), 'utf8');
    } catch {
      licenceFile = undefined;
    }
    await build({
      absWorkingDir: ROOT,
      // With `only`, each entry is a module re-exporting just those values from the subpath.
      entryPoints: only ? Object.fromEntries(Object.keys(entries).map((name) => [name, `vendor-entry:${name}`])) : entries,
      outdir: outDir,
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunk-[hash]',
      bundle: true,
      splitting: true,
      minify,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // This package only: every other (drizzle's database drivers) stays a package of its own, loaded where it was.
      plugins: [
        {
          name: `only-${pkg}`,
          setup(b) {
            b.onResolve({ filter: /^vendor-entry:/ }, (a) => ({ path: a.path.slice('vendor-entry:'.length), namespace: 'vendor-entry' }));
            b.onLoad({ filter: /.*/, namespace: 'vendor-entry' }, (a) => ({ contents: `export { ${only.join(', ')} } from '${entries[a.path]}';\n`, resolveDir: ROOT, loader: 'js' }));
            b.onResolve({ filter: /^[^./]/ }, (a) => (packageOf(a.path) === pkg ? undefined : { external: true }));
          },
        },
      ],
      legalComments: 'none',
      banner: { js: `// ${pkg} ${version} (${license}, ${licenceFile ? 'its licence in LICENSE beside this file' : 'the package ships no licence file'}), bundled by scripts/vendor.mjs (npm run vendor). Do not edit.` },
      logLevel: 'error',
    });
    for (const [name, specifier] of Object.entries(entries)) {
      const types = only
        ? `// The types of ${specifier}, for ${name}.mjs beside it, which holds only these values (scripts/vendor.mjs, \`only\`).\nexport { ${only.join(', ')} } from '${specifier}';\nexport type * from '${specifier}';\n`
        : `// The types of ${specifier}, for ${name}.mjs beside it.\nexport * from '${specifier}';\n`;
      writeFileSync(join(outDir, `${name}.d.mts`), types);
    }
    if (licenceFile) writeFileSync(join(outDir, 'LICENSE'), licenceFile);
    written.push(...readdirSync(outDir).map((name) => `${folder}/${name}`));
  }
  return written.sort();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = await vendorPackages();
  console.log(`vendor/: ${files.length} files written`);
}
