import type { BuildOptions } from 'esbuild';

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
