// `npm run vendor:drizzle`: writes vendor/drizzle/, the parts of drizzle-orm this project imports,
// bundled by esbuild into a few files. Run it after upgrading drizzle-orm; tests/vendor-drizzle.test.ts
// fails while the folder is stale.
//
// Why: drizzle-orm's package.json holds a 175 KB "exports" map, and Node.js 22 and newer (24 is what
// Vercel runs) parse that map again for every one of the package's ~100 module files a function
// loads (lib/internal/modules/package_json_reader.js: getPackageScopeConfig spreads the lazily
// parsed package data for each `.js` file's format lookup). Deployed unbundled, as Vercel's Node.js
// builder does, that was ~370 ms of every cold start that touches the database on Node 24, against
// ~0 on Node 20. From these files the package.json is this project's own, read once.
// Types still come from drizzle-orm itself (each .d.mts re-exports them).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..');

/** vendor/drizzle/<name>.mjs for each drizzle-orm subpath imported in lib/ and scripts/. */
const ENTRIES = {
  index: 'drizzle-orm',
  'pg-core': 'drizzle-orm/pg-core',
  'neon-http': 'drizzle-orm/neon-http',
  'neon-serverless': 'drizzle-orm/neon-serverless',
  'neon-serverless-migrator': 'drizzle-orm/neon-serverless/migrator',
  'node-postgres': 'drizzle-orm/node-postgres',
  'node-postgres-migrator': 'drizzle-orm/node-postgres/migrator',
  pglite: 'drizzle-orm/pglite',
  'pglite-migrator': 'drizzle-orm/pglite/migrator',
};

/** Writes the vendored files into `outDir` (emptied first); returns their names. */
export async function vendorDrizzle(outDir = join(ROOT, 'vendor', 'drizzle')) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const { version, license } = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'drizzle-orm', 'package.json'), 'utf8'));
  await build({
    absWorkingDir: ROOT,
    entryPoints: ENTRIES,
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // drizzle-orm only: the database drivers stay packages of their own, loaded where they were.
    plugins: [{ name: 'only-drizzle', setup: (b) => b.onResolve({ filter: /^[^./]/ }, (a) => (a.path === 'drizzle-orm' || a.path.startsWith('drizzle-orm/') ? undefined : { external: true })) }],
    legalComments: 'none',
    banner: { js: `// drizzle-orm ${version} (${license}, https://github.com/drizzle-team/drizzle-orm; the package ships no licence file), bundled by scripts/vendor-drizzle.mjs (npm run vendor:drizzle). Do not edit.` },
    logLevel: 'error',
  });
  for (const [name, specifier] of Object.entries(ENTRIES)) {
    writeFileSync(join(outDir, `${name}.d.mts`), `// The types of ${specifier}, for ${name}.mjs beside it.\nexport * from '${specifier}';\n`);
  }
  return readdirSync(outDir).sort();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = await vendorDrizzle();
  console.log(`vendor/drizzle: ${files.length} files written`);
}
