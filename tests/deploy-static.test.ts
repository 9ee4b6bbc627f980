import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

/** Every HTML file under `dir`, relative paths. */
function pages(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = join(prefix, entry.name);
    if (entry.isDirectory()) return pages(dir, path);
    return entry.name.endsWith('.html') ? [path] : [];
  });
}

// Vercel lists a project's static files before its install step runs, so files that only
// `postinstall` writes into public/ are never deployed (checked with `vercel build`, the CLI's
// own build, which left /docs and /redoc without their scripts). They must come from the build
// command, into the output directory vercel.json names. This runs that build command as Vercel
// would, in a copy of the project holding only what git tracks (no asset copies yet).
describe('the static pages as deployed', () => {
  const work = mkdtempSync(join(tmpdir(), 'deploy-static-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("get every script and stylesheet they load from `npm run build`, in vercel.json's output directory", () => {
    const { outputDirectory } = JSON.parse(readFileSync(join(ROOT, 'vercel.json'), 'utf8')) as { outputDirectory?: string };
    expect(outputDirectory).toBe('public');
    const tracked = execFileSync('git', ['ls-files', 'package.json', 'scripts', 'public'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const file of tracked) cpSync(join(ROOT, file), join(work, file));
    symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'));
    const out = join(work, outputDirectory!);
    expect(existsSync(join(out, 'docs/assets'))).toBe(false); // the copy starts without them

    execFileSync('npm', ['run', 'build', '--silent'], { cwd: work, stdio: 'pipe' });

    const references = pages(out).flatMap((page) =>
      [...readFileSync(join(out, page), 'utf8').matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => ({ page, path: m[1]! })),
    );
    expect(references.map((r) => r.path)).toEqual(expect.arrayContaining(['/docs/assets/swagger-ui-bundle.js', '/docs/assets/swagger-ui.css', '/redoc/assets/redoc.standalone.js']));
    const missing = references.filter(({ path }) => !path.startsWith('/api/') && !existsSync(join(out, path)));
    expect(missing).toEqual([]);
  });

  // npm leaves devDependencies out when NODE_ENV=production is set, and Vercel's install step sees
  // the project's variables: the build must need dependencies only.
  it('build from an install without devDependencies (NODE_ENV=production set on Vercel)', () => {
    const bare = mkdtempSync(join(tmpdir(), 'deploy-prod-deps-'));
    try {
      const tracked = execFileSync('git', ['ls-files', 'package.json', 'scripts', 'public'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
      for (const file of tracked) cpSync(join(ROOT, file), join(bare, file));
      // node_modules as `npm ci --omit=dev` would leave it: the production tree's top-level packages.
      const listed = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const topLevel = new RegExp(`^${join(ROOT, 'node_modules').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/((?:@[^/]+/)?[^/]+)$`);
      const packages = [...new Set(listed.split('\n').flatMap((path) => topLevel.exec(path)?.[1] ?? []))];
      expect(packages).toContain('zod'); // the listing worked
      expect(packages).not.toContain('vitest'); // and left devDependencies out
      for (const name of packages) {
        mkdirSync(dirname(join(bare, 'node_modules', name)), { recursive: true });
        symlinkSync(join(ROOT, 'node_modules', name), join(bare, 'node_modules', name));
      }
      execFileSync('npm', ['run', 'build', '--silent'], { cwd: bare, stdio: 'pipe' });
      expect(existsSync(join(bare, 'public/docs/assets/swagger-ui-bundle.js'))).toBe(true);
      expect(existsSync(join(bare, 'public/redoc/assets/redoc.standalone.js'))).toBe(true);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
