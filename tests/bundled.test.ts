import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledBuildOptions } from '../scripts/bench/bundle-options.js';

const ROOT = resolve(import.meta.dirname, '..');
const out = mkdtempSync(join(tmpdir(), 'auth-bundled-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

// A function bundled with code splitting, as the cold-start bench builds them (and as anyone
// bundling for deployment might): dynamic imports of CommonJS packages must still work there.
describe('a function bundled with code splitting', () => {
  it("hands work after the response to Vercel's waitUntil", async () => {
    await build({
      ...bundledBuildOptions(),
      stdin: {
        resolveDir: ROOT,
        loader: 'ts',
        contents: `
          import { endpoint } from './lib/endpoint.js';
          import { runAfterResponse } from './lib/background.js';
          export const GET = endpoint(async () => {
            runAfterResponse('bundled task', async () => { globalThis.taskRan = true; });
            return new Response('{}', { headers: { 'content-type': 'application/json' } });
          });`,
      },
      entryNames: 'index',
      outdir: out,
    });
    // A fresh process with the request context the Vercel runtime provides.
    const child = `
      const handedOver = [];
      globalThis[Symbol.for('@vercel/request-context')] = { get: () => ({ waitUntil: (p) => handedOver.push(p) }) };
      const { GET } = await import(${JSON.stringify(pathToFileURL(join(out, 'index.mjs')).href)});
      const response = await GET(new Request('http://localhost/api/x'));
      const before = globalThis.taskRan === true;
      await Promise.all(handedOver);
      console.log(JSON.stringify({ status: response.status, handedOver: handedOver.length, before, after: globalThis.taskRan === true }));`;
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', child], { cwd: ROOT });
    expect(stderr).toBe('');
    expect(JSON.parse(stdout)).toEqual({ status: 200, handedOver: 1, before: false, after: true });
  });
});
