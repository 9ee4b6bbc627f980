import { join, resolve } from 'node:path';
import type { BuildOptions, Metafile, Plugin } from 'esbuild';
// @ts-expect-error a plain .mjs script without types
import { VENDORED } from '../vendor.mjs';

const VENDOR = resolve(import.meta.dirname, '../../vendor');

/**
 * The cold-start bench's "bundled" build of an `api/` function with esbuild: packages bundled too,
 * minified, dynamic imports split into chunks loaded on first use; only PGlite (WASM assets),
 * node-postgres and the Cloudinary SDK stay external, so the bench can still see whether they are
 * loaded. Not how Vercel deploys (see vercel-build.ts): what a bundling build step would give.
 * The vendored packages (vendor/, see scripts/vendor.mjs) are bundled from the packages themselves,
 * which esbuild shakes module by module: zod's vendored single file would add ~360 KB to each.
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

/** Resolves each vendor/<folder>/<name>.mjs import to the package subpath it was bundled from. */
function fromPackages(): Plugin {
  const specifiers = new Map<string, string>();
  for (const { folder, entries } of Object.values(VENDORED as Record<string, { folder: string; entries: Record<string, string> }>)) {
    for (const [name, specifier] of Object.entries(entries)) specifiers.set(join(VENDOR, folder, `${name}.mjs`), specifier);
  }
  return {
    name: 'vendored-from-packages',
    setup(build) {
      build.onResolve({ filter: /\/vendor\/[^/]+\/[^/]+\.mjs$/ }, ({ path, resolveDir, kind }) => {
        const specifier = specifiers.get(resolve(resolveDir, path));
        return specifier ? build.resolve(specifier, { resolveDir, kind }) : undefined;
      });
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
