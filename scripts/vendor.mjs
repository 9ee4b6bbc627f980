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
//   the values the code uses are vendored (listed below): all of zod is 458 KB minified, mostly
//   its locales and core, and reading it cost ~10 ms more than these ~100 KB.
// - jose and arctic (with the @oslojs packages it imports): 12 to 40 module files in the functions
//   that sign or check a token or sign in with Google.
// From these files the package.json is this project's own, read once. Types still come from the
// packages themselves (each .d.mts re-exports them). The bench's "bundled" build maps the vendored
// files back to the packages (scripts/bench/bundle-options.ts), which a bundler shakes finer.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..');

/**
 * Per package: the folder under vendor/; its `entries`, vendor/<folder>/<name>.mjs each, either all
 * of a subpath the code imports or only the values listed from one or more subpaths (the rest
 * become types only in the entry's .d.mts, so code that starts using another value fails `npm run
 * typecheck` until it is listed here); whether it is minified (zod is 760 KB unminified: ~4 ms of
 * each cold start); and the packages bundled `with` it (the others it imports stay imports).
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
  // The access tokens, Google's ID token and the sign-in cookie: 12 to 20 module files a function.
  jose: {
    folder: 'jose',
    minify: false,
    entries: {
      index: {
        'jose/errors': ['JOSEError', 'JWKSInvalid', 'JWKSTimeout', 'JWTExpired'],
        'jose/jwks/remote': ['createRemoteJWKSet'],
        'jose/jwt/decrypt': ['jwtDecrypt'],
        'jose/jwt/encrypt': ['EncryptJWT'],
        'jose/jwt/sign': ['SignJWT'],
        'jose/jwt/verify': ['jwtVerify'],
      },
    },
  },
  // Google sign-in's OAuth client and the @oslojs packages it imports: 20 module files.
  arctic: {
    folder: 'arctic',
    minify: false,
    entries: {
      index: {
        'arctic/dist/client.js': ['CodeChallengeMethod', 'OAuth2Client'],
        'arctic/dist/oauth2.js': ['generateCodeVerifier', 'generateState'],
        'arctic/dist/request.js': ['ArcticFetchError', 'createOAuth2Request', 'encodeBasicCredentials', 'OAuth2RequestError', 'sendTokenRequest'],
      },
    },
    with: ['@oslojs/binary', '@oslojs/crypto', '@oslojs/encoding'],
  },
  // Every function's schemas and configuration: 95 module files.
  zod: {
    folder: 'zod',
    minify: true,
    entries: {
      index: {
        zod: ['any', 'array', 'boolean', 'coerce', 'config', 'email', 'enum', 'iso', 'literal', 'null', 'number', 'object', 'strictObject', 'string', 'stringbool', 'url', 'uuid'],
      },
    },
  },
};

/** The package a specifier belongs to: `drizzle-orm/pg-core` → `drizzle-orm`. */
const packageOf = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/** `export { a, b } from 'x';` for each subpath and its listed values: an entry of listed values as a module of the packages' own. */
export const reexports = (values) => Object.entries(values).map(([specifier, names]) => `export { ${names.join(', ')} } from '${specifier}';\n`).join('');

/** A package's version, licence name, source repository and licence text (undefined when it ships no licence file). */
function aboutPackage(pkg) {
  const dir = join(ROOT, 'node_modules', pkg);
  const { version, license, repository } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const url = typeof repository === 'string' ? repository : repository?.url;
  const source = url?.replace(/^git\+/, '').replace(/\.git$/, '').replace(/^([\w-]+\/[\w.-]+)$/, 'https://github.com/$1');
  const file = readdirSync(dir).find((name) => /^licen[cs]e(\.(md|txt))?$/i.test(name));
  return { pkg, version, license, source, text: file ? readFileSync(join(dir, file), 'utf8') : undefined };
}

/** Writes vendor/<folder>/ for each package into `outRoot` (each folder emptied first); returns the written paths, relative to `outRoot`. */
export async function vendorPackages(outRoot = join(ROOT, 'vendor')) {
  const written = [];
  for (const [pkg, { folder, minify, entries, with: alsoBundled = [] }] of Object.entries(VENDORED)) {
    const outDir = join(outRoot, folder);
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
    const bundled = [pkg, ...alsoBundled].map(aboutPackage);
    const licenceFiles = new Map(bundled.filter((p) => p.text).map((p) => [p.pkg === pkg ? 'LICENSE' : `LICENSE.${p.pkg.replace('@', '').replace('/', '-')}`, p]));
    const credits = bundled.map((p) => `${p.pkg} ${p.version} (${[p.license, p.source].filter(Boolean).join(', ')}${p.text ? '' : '; the package ships no licence file'})`).join(', ');
    await build({
      absWorkingDir: ROOT,
      // An entry of listed values is a module re-exporting just those.
      entryPoints: Object.fromEntries(Object.entries(entries).map(([name, from]) => [name, typeof from === 'string' ? from : `vendor-entry:${name}`])),
      outdir: outDir,
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunk-[hash]',
      bundle: true,
      splitting: true,
      minify,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // This package (and those `with` it) only: every other (drizzle's database drivers) stays a package of its own, loaded where it was.
      plugins: [
        {
          name: `only-${pkg}`,
          setup(b) {
            b.onResolve({ filter: /^vendor-entry:/ }, (a) => ({ path: a.path.slice('vendor-entry:'.length), namespace: 'vendor-entry' }));
            b.onLoad({ filter: /.*/, namespace: 'vendor-entry' }, (a) => ({ contents: reexports(entries[a.path]), resolveDir: ROOT, loader: 'js' }));
            b.onResolve({ filter: /^[^./]/ }, (a) => (bundled.some((p) => p.pkg === packageOf(a.path)) ? undefined : { external: true }));
          },
        },
      ],
      legalComments: 'none',
      banner: { js: `// ${credits}, bundled by scripts/vendor.mjs (npm run vendor)${licenceFiles.size ? `; licence texts in ${[...licenceFiles.keys()].join(', ')} beside this file` : ''}. Do not edit.` },
      logLevel: 'error',
    });
    for (const [name, from] of Object.entries(entries)) {
      const types =
        typeof from === 'string'
          ? `// The types of ${from}, for ${name}.mjs beside it.\nexport * from '${from}';\n`
          : `// The types of ${Object.keys(from).join(', ')}, for ${name}.mjs beside it, which holds only these values (scripts/vendor.mjs).\n${reexports(from)}${Object.keys(from).map((specifier) => `export type * from '${specifier}';\n`).join('')}`;
      writeFileSync(join(outDir, `${name}.d.mts`), types);
    }
    for (const [file, { text }] of licenceFiles) writeFileSync(join(outDir, file), text);
    written.push(...readdirSync(outDir).map((name) => `${folder}/${name}`));
  }
  return written.sort();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = await vendorPackages();
  console.log(`vendor/: ${files.length} files written`);
}
