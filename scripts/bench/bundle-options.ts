import type { BuildOptions } from 'esbuild';

/**
 * How the cold-start bench builds an `api/` function with esbuild:
 * - traced: our code bundled, packages left external and loaded from node_modules, as Vercel's
 *   Node.js builder deploys a function by default (it traces node_modules, it does not bundle them);
 * - bundled: packages bundled too, minified, dynamic imports split into chunks loaded on first use;
 *   only PGlite (WASM assets), node-postgres and the Cloudinary SDK stay external, so the bench can
 *   still see whether they are loaded.
 * Also used by the test that runs a bundled function (tests/bundled.test.ts).
 */
export type Mode = 'traced' | 'bundled';
export const LAZY_EXTERNALS = ['@electric-sql/pglite', 'pg', 'cloudinary'];

export function bundleOptions(mode: Mode): BuildOptions {
  return {
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    ...(mode === 'traced'
      ? { packages: 'external' as const }
      : {
          splitting: true,
          minify: true,
          external: LAZY_EXTERNALS,
          // Bundled CommonJS packages call require(); give the ESM output one.
          banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
        }),
  };
}
