import { copyFileSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { FileBlob, FileFsRef, glob, type Config, type Files, type Meta } from '@vercel/build-utils';

const ROOT = resolve(import.meta.dirname, '../..');

/** The builder's entry point, which its published types leave out. */
interface NodeBuilder {
  build(options: { files: Files; entrypoint: string; workPath: string; repoRootPath: string; config: Config; meta: Meta; considerBuildCommand: boolean }): Promise<{
    output: { handler: string; files: Files };
  }>;
}
const { build } = createRequire(import.meta.url)('@vercel/node') as NodeBuilder;

/** Mirrors a folder with hard links (a copy where the file system has none), symlinks kept. */
function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const [source, target] = [join(from, entry.name), join(to, entry.name)];
    if (entry.isDirectory()) linkTree(source, target);
    else if (entry.isSymbolicLink()) symlinkSync(readlinkSync(source), target);
    else {
      try {
        linkSync(source, target);
      } catch {
        copyFileSync(source, target);
      }
    }
  }
}

/** A `functions` glob of vercel.json (`*`, `**`) as a regular expression. */
function globToRegExp(glob: string): RegExp {
  const source = glob
    .split(/(\*\*\/|\*\*|\*)/)
    .map((part) => (part === '**/' ? '(?:.*/)?' : part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

/** What vercel.json's `functions` sets for an entrypoint's build: its includeFiles and excludeFiles. */
function functionConfig(entrypoint: string): Config {
  const { functions = {} } = JSON.parse(readFileSync(join(ROOT, 'vercel.json'), 'utf8')) as { functions?: Record<string, Config> };
  const matching = Object.entries(functions).filter(([glob]) => globToRegExp(glob).test(entrypoint));
  return Object.fromEntries(matching.flatMap(([, c]) => (['includeFiles', 'excludeFiles'] as const).filter((k) => c[k]).map((k) => [k, c[k]])));
}

export interface VercelFunction {
  /** The function's entry file in `dir`, as the Vercel runtime imports it (`api/me.js`). */
  handler: string;
  dir: string;
  /** Every file Vercel would deploy for it (code, traced `node_modules`, assets), in bytes. */
  deployedBytes: number;
}

/**
 * Builds `api/` files exactly as Vercel does, with Vercel's own Node.js builder (`@vercel/node`):
 * each TypeScript file compiled on its own, `node_modules` traced (`@vercel/nft`) and copied, not
 * bundled, less vercel.json's `excludeFiles`. Each function's files are written under
 * `outDir/<name>`, ready for `node` to import.
 *
 * The builder writes the project's files into its work folder first, so it gets a scratch copy:
 * pointed at the checkout itself, it would truncate every file it copies onto itself. The copy's
 * `node_modules` is hard-linked (instant, no space) and the install step is skipped.
 * `extraFiles` (path → source) are added to the project's files, such as the bench's empty floor.
 *
 * @example const [me] = await buildLikeVercel(['api/me.ts'], '.data/bench/vercel');
 */
export async function buildLikeVercel(entrypoints: string[], outDir: string, extraFiles: Record<string, string> = {}): Promise<VercelFunction[]> {
  // Inside the project (.data is not part of the build's files): hard links need one file system.
  mkdirSync(join(ROOT, '.data'), { recursive: true });
  const work = mkdtempSync(join(ROOT, '.data', 'vercel-build-'));
  try {
    linkTree(join(ROOT, 'node_modules'), join(work, 'node_modules'));
    const files: Files = {
      ...(await glob('**', { cwd: ROOT, ignore: ['node_modules/**', '.git/**', '.data/**', 'test-output/**', 'coverage/**'] })),
      ...Object.fromEntries(Object.entries(extraFiles).map(([path, data]) => [path, new FileBlob({ data })])),
    };
    const built: VercelFunction[] = [];
    for (const entrypoint of entrypoints) {
      const { output } = await build({
        files,
        entrypoint,
        workPath: work,
        repoRootPath: work,
        config: { zeroConfig: true, ...functionConfig(entrypoint), projectSettings: { installCommand: '' } },
        meta: { isDev: false },
        considerBuildCommand: true, // lets the empty installCommand skip `npm install`
      });
      const lambda = output;
      const dir = join(outDir, entrypoint.replace(/\.ts$/, '').replaceAll('/', '_'));
      rmSync(dir, { recursive: true, force: true });
      let deployedBytes = 0;
      for (const [name, file] of Object.entries(lambda.files)) {
        const target = join(dir, name);
        mkdirSync(dirname(target), { recursive: true });
        if (file instanceof FileBlob) writeFileSync(target, file.data);
        else if (file instanceof FileFsRef) copyFileSync(file.fsPath, target);
        else throw new Error(`${entrypoint}: unexpected file kind for ${name}`);
        deployedBytes += statSync(target).size;
      }
      built.push({ handler: lambda.handler, dir, deployedBytes });
    }
    return built;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
