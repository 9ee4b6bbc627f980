import type { BuildOptions, Metafile } from 'esbuild';

/**
 * The cold-start bench's "bundled" build of an `api/` function with esbuild: packages bundled too,
 * minified, dynamic imports split into chunks loaded on first use; only PGlite (WASM assets),
 * node-postgres and the Cloudinary SDK stay external, so the bench can still see whether they are
 * loaded. Not how Vercel deploys (see vercel-build.ts): what a bundling build step would give.
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
    // Bundled CommonJS packages call require(); give the ESM output one.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
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
