import { join, resolve } from 'node:path';
import type { BuildOptions, Metafile, Plugin } from 'esbuild';
// @ts-expect-error a plain .mjs script without types
import { reexports, VENDORED } from '../vendor.mjs';

const VENDOR = resolve(import.meta.dirname, '../../vendor');

/**
 * The cold-start bench's "bundled" build of an `api/` function with esbuild: packages bundled too,
 * minified, dynamic imports split into chunks loaded on first use; only PGlite (WASM assets),
 * node-postgres and the Cloudinary SDK stay external, so the bench can still see whether they are
 * loaded. Not how Vercel deploys (see vercel-build.ts): what a bundling build step would give.
 * The vendored packages (vendor/, see scripts/vendor.mjs) are bundled from the packages themselves,
 * which esbuild shakes module by module: a vendored file is one module, kept whole (the vendored
 * drizzle pg-core added 42 KB to /api/me).
 * Also used by the test that runs a split bundle (tests/bundled.test.ts).
 */
export const LAZY_EXTERNALS = ['@electric-sql/pglite', 'pg', 'cloudinary'];

export function bundledBuildOptions(): BuildOptions {
  return {
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    splitting: true,
    minify: true,
    external: LAZY_EXTERNALS,
    plugins: [fromPackages()],
    // Bundled CommonJS packages call require(); give the ESM output one.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  };
}

/** Resolves each vendor/<folder>/<name>.mjs to what it was bundled from: the package subpath, or a module re-exporting the listed values from the packages. */
function fromPackages(): Plugin {
  const origins = new Map<string, unknown>();
  for (const { folder, entries } of Object.values(VENDORED as Record<string, { folder: string; entries: Record<string, unknown> }>)) {
    for (const [name, from] of Object.entries(entries)) origins.set(join(VENDOR, folder, `${name}.mjs`), from);
  }
  return {
    name: 'vendored-from-packages',
    setup(build) {
      build.onResolve({ filter: /\/vendor\/[^/]+\/[^/]+\.mjs$/ }, ({ path, resolveDir, kind }) => {
        const file = resolve(resolveDir, path);
        const from = origins.get(file);
        if (from === undefined) return undefined;
        return typeof from === 'string' ? build.resolve(from, { resolveDir, kind }) : { path: file, namespace: 'vendored-from-packages' };
      });
      build.onLoad({ filter: /.*/, namespace: 'vendored-from-packages' }, ({ path }) => ({ contents: reexports(origins.get(path)), resolveDir: VENDOR, loader: 'js' }));
    },
  };
}

/**
 * The outputs of a split build that a cold start reads before its first request: the entry
 * (`index.mjs`) and the chunks it imports statically, transitively. Dynamic imports wait for use.
 *
 * @example const bytes = eagerOutputs(metafile).reduce((n, key) => n + metafile.outputs[key]!.bytes, 0);
 */
export function eagerOutputs(metafile: Metafile): string[] {
  const outputs = metafile.outputs;
  const eager = new Set([Object.keys(outputs).find((key) => key.endsWith('index.mjs'))!]);
  for (const key of eager) {
    for (const imported of outputs[key]!.imports) if (imported.kind === 'import-statement' && outputs[imported.path]) eager.add(imported.path);
  }
  return [...eager];
}
