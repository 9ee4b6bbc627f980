import { relative, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { bundledBuildOptions, eagerOutputs } from '../scripts/bench/bundle-options.js';
import { apiFiles } from './support/api-files.js';

const ROOT = resolve(import.meta.dirname, '..');

/** The packages a bundled function loads before its first request: its entry and the chunks it imports statically. */
function eagerPackages(metafile: Metafile): Set<string> {
  const packages = new Set<string>();
  for (const key of eagerOutputs(metafile)) {
    const output = metafile.outputs[key]!;
    for (const imported of output.imports) if (imported.kind === 'import-statement' && imported.external) packages.add(imported.path);
    for (const input of Object.keys(output.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
      if (name) packages.add(name);
    }
  }
  return packages;
}

// What the cold-start bench's "bundled" build loads at a cold start: a package a function needs
// only on some paths (or after its response) must be imported on first use, not at start-up.
describe('what each function loads before its first request', () => {
  const NEVER = ['nodemailer', 'cloudinary', '@electric-sql/pglite', 'proper-lockfile', 'pg', 'busboy', '@asteasolutions/zod-to-openapi', '@vercel/functions'];
  const NO_REDIS = ['api/docs.ts', 'api/me.ts', 'api/google/start.ts'];

  for (const { file } of apiFiles()) {
    const entry = relative(ROOT, file);
    it(`${entry}: none of ${NEVER.join(', ')}${NO_REDIS.includes(entry) ? ', nor the Redis client' : ''}`, async () => {
      const { metafile } = await build({ ...bundledBuildOptions(), entryPoints: { index: file }, outdir: resolve(ROOT, '.data/cold-imports'), write: false, metafile: true });
      const loaded = [...eagerPackages(metafile)];
      expect(loaded.filter((name) => NEVER.includes(name))).toEqual([]);
      if (NO_REDIS.includes(entry)) expect(loaded.filter((name) => name.startsWith('@upstash/'))).toEqual([]);
      expect(loaded).toContain('zod'); // the check sees packages at all
    });
  }
});
